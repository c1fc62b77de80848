"""A batch: applied by one worker of the service, then each of its messages disposed of.

A message is acked when its event was applied or was a duplicate; an early event goes to a
delay queue to be tried again; anything else is dead-lettered. Invalid messages are
dead-lettered before the batch is applied, so a worker only ever sees contract events.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol

import eventlet
from eventlet.event import Event

from grantflow.contract import Envelope
from grantflow.errors import Early, Refused, failure_text, is_conflict, is_data_error, unstorable
from grantflow.ingest.raw_message import RawMessage
from grantflow.ingest.rerouting import Rerouting
from grantflow.ingest.screening import screened
from grantflow.metrics import ServiceMetrics
from grantflow.outcomes import Applied, Duplicate, NotApplied, Outcome


class Ingest(Protocol):
    """What disposing of a batch needs of its ingest entrypoint (`grantflow.ingest.consumer`),
    named here so that this module does not import the consumer that calls it."""

    raw: bool
    accepted_types: tuple[str, ...]
    cfg: Any  # grantflow.config.Settings
    container: Any  # the nameko container
    metrics: ServiceMetrics

    def check_source(self, envelope: Envelope, message: Any) -> None: ...


log = logging.getLogger(__package__)  # "grantflow.ingest", the name its log lines always had
CONFLICT_ATTEMPTS = 5  # a batch that clashed with another transaction, applied again at once


def dispose_batch(ingest: Ingest, messages: Sequence[Any], rerouting: Rerouting) -> None:
    """Apply the batch's valid events in one worker, then ack, retry or dead-letter each."""
    if ingest.raw:
        dispose_stored(messages, applied_apart(ingest, [RawMessage.of(m) for m in messages]))
        return
    valid = valid_events(messages, ingest, rerouting)
    if valid:
        outcomes = applied_apart(ingest, [envelope for _, envelope in valid])
        dispose_applied(valid, outcomes, rerouting, ingest.metrics)


def applied_apart(ingest: Ingest, events: list[Any]) -> list[Outcome]:
    """The events applied in one transaction (again, whole, when it clashed with another
    transaction: a deadlock or serialization failure); when the database refuses the batch
    for what an event holds, the batch is halved until that event stands alone, then refused alone
    (`unstorable`) while the others are applied. A failure of the database as a whole
    (connection lost) makes every event retryable instead."""
    result, error = apply_in_worker(ingest, events)
    for attempt in range(1, CONFLICT_ATTEMPTS):
        if error is None or not is_conflict(error):
            break
        log.info("batch of %d events clashed with another transaction, again", len(events))
        eventlet.sleep(0.05 * attempt)
        result, error = apply_in_worker(ingest, events)
    if error is None:
        return result
    if not is_data_error(error):
        log.error("applying a batch of %d events failed", len(events), exc_info=error)
        early = Early(
            "handler_error", f"the service could not apply the event: {failure_text(error)}"
        )
        return [NotApplied(early) for _ in events]
    if len(events) == 1:
        return [NotApplied(unstorable(error))]
    half = len(events) // 2
    return applied_apart(ingest, events[:half]) + applied_apart(ingest, events[half:])


def apply_in_worker(
    ingest: Ingest, events: list[Any]
) -> tuple[list[Outcome], BaseException | None]:
    """The events applied by one worker of the service, in one database transaction, or the
    exception that failed it."""
    done: Event = Event()

    def handle_result(worker_ctx: Any, result: Any, exc_info: Any) -> tuple[Any, Any]:
        done.send((result, exc_info))
        return result, exc_info

    ingest.container.spawn_worker(ingest, (events,), {}, handle_result=handle_result)
    result, exc_info = done.wait()
    ingest.metrics.batch_size.labels(ingest.metrics.service).observe(len(events))
    return result, (exc_info[1] if exc_info is not None else None)


def valid_events(
    messages: Sequence[Any], ingest: Ingest, rerouting: Rerouting
) -> list[tuple[Any, Envelope]]:
    """Each message that is a contract event of an accepted type from a source allowed to
    send it, with its envelope; the others are dead-lettered."""
    valid: list[tuple[Any, Envelope]] = []
    limit = ingest.cfg.max_message_bytes
    for message in messages:
        try:
            envelope = screened(message, ingest.accepted_types, limit)
        except Refused as error:
            rerouting.dead_letter(message, error, None)
            continue
        try:
            ingest.check_source(envelope, message)
        except Refused as error:
            rerouting.dead_letter(message, error, envelope)
            continue
        valid.append((message, envelope))
    return valid


def dispose_applied(
    valid: Sequence[tuple[Any, Envelope]],
    outcomes: Sequence[Outcome],
    rerouting: Rerouting,
    metrics: ServiceMetrics,
) -> None:
    """Ack what was applied (or a duplicate), retry what came early, dead-letter the rest.

    When every event was applied, one multiple ack settles the batch: the consumer settles one
    batch at a time, so each earlier delivery on its channel is already acked (a retry or a
    dead letter is acked once the broker confirmed its copy).
    """
    whole = bool(valid) and all(isinstance(o, (Applied, Duplicate)) for o in outcomes)
    if whole:
        max((m for m, _ in valid), key=lambda m: m.delivery_tag).ack(multiple=True)
    for (message, envelope), outcome in zip(valid, outcomes, strict=True):
        if isinstance(outcome, (Applied, Duplicate)):
            if not whole:
                message.ack()
            label = "applied" if isinstance(outcome, Applied) else "duplicate"
            metrics.consumed.labels(metrics.service, envelope.type, label).inc()
        elif outcome.retryable:
            rerouting.retry(message, outcome.error, envelope)
        else:
            rerouting.dead_letter(message, outcome.error, envelope)


def dispose_stored(messages: Sequence[Any], outcomes: Sequence[Outcome]) -> None:
    """Raw messages: ack what the store kept; when the database was down, the messages stay
    queued and the consumer pauses a second. One the store refused even bare (never seen)
    is logged with its body and acked: requeued, it would come back for ever."""
    paused = False
    for message, outcome in zip(messages, outcomes, strict=True):
        if isinstance(outcome, (Applied, Duplicate)) or not outcome.retryable:
            if isinstance(outcome, NotApplied):
                log.error("dead letter not storable, dropped: %r", RawMessage.of(message))
            message.ack()
        else:
            message.requeue()
            if not paused:
                eventlet.sleep(1.0)
                paused = True
