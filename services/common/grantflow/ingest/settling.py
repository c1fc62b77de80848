"""A batch: applied by one worker of the service, then each of its messages settled.

A message is acked when its event was applied or was a duplicate; an early event goes to a
delay queue to be tried again; anything else is dead-lettered. Invalid messages are
dead-lettered before the batch is applied, so a worker only ever sees contract events.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import eventlet
from eventlet.event import Event

from grantflow.contract import Envelope, contract
from grantflow.errors import Early, Refused, failure_text
from grantflow.ingest.raw_message import RawMessage
from grantflow.ingest.rerouting import Rerouting
from grantflow.metrics import ServiceMetrics
from grantflow.outcomes import Applied, Duplicate, NotApplied, Outcome
from grantflow.trust import source_policy

if TYPE_CHECKING:
    from grantflow.ingest.consumer import LifecycleIngest

log = logging.getLogger(__package__)  # "grantflow.ingest", the name its log lines always had


def settle_batch(ingest: LifecycleIngest, messages: Sequence[Any], rerouting: Rerouting) -> None:
    """Apply the batch's valid events in one worker, then ack, retry or dead-letter each."""
    if ingest.raw:
        settle_stored(messages, apply_in_worker(ingest, [RawMessage.of(m) for m in messages]))
        return
    valid = valid_events(messages, ingest.accepted_types, ingest.from_domain_events, rerouting)
    if valid:
        outcomes = apply_in_worker(ingest, [envelope for _, envelope in valid])
        settle_applied(valid, outcomes, rerouting, ingest.metrics)


def apply_in_worker(ingest: LifecycleIngest, events: list[Any]) -> list[Outcome]:
    """The events applied by one worker of the service, in one database transaction; when the
    worker fails, every event is `NotApplied` and retryable."""
    done: Event = Event()

    def handle_result(worker_ctx: Any, result: Any, exc_info: Any) -> tuple[Any, Any]:
        done.send((result, exc_info))
        return result, exc_info

    ingest.container.spawn_worker(ingest, (events,), {}, handle_result=handle_result)
    result, exc_info = done.wait()
    ingest.metrics.batch_size.labels(ingest.metrics.service).observe(len(events))
    if exc_info is None:
        return result
    log.error("applying a batch of %d events failed", len(events), exc_info=exc_info)
    error = Early(
        "handler_error", f"the service could not apply the event: {failure_text(exc_info[1])}"
    )
    return [NotApplied(error) for _ in events]


def valid_events(
    messages: Sequence[Any],
    accepted_types: Sequence[str],
    from_domain_events: bool,
    rerouting: Rerouting,
) -> list[tuple[Any, Envelope]]:
    """Each message that is a contract event of an accepted type from a source allowed to
    send it, with its envelope; the others are dead-lettered."""
    valid: list[tuple[Any, Envelope]] = []
    for message in messages:
        try:
            envelope = contract().parse(message.body, accepted_types)
        except Refused as error:
            rerouting.dead_letter(message, error, None)
            continue
        try:
            if not from_domain_events:  # grantflow.events: only our services write there
                source_policy().check(envelope.type, envelope.source)
        except Refused as error:
            rerouting.dead_letter(message, error, envelope)
            continue
        valid.append((message, envelope))
    return valid


def settle_applied(
    valid: Sequence[tuple[Any, Envelope]],
    outcomes: Sequence[Outcome],
    rerouting: Rerouting,
    metrics: ServiceMetrics,
) -> None:
    """Ack what was applied (or a duplicate), retry what came early, dead-letter the rest."""
    for (message, envelope), outcome in zip(valid, outcomes, strict=True):
        if isinstance(outcome, (Applied, Duplicate)):
            message.ack()
            label = "applied" if isinstance(outcome, Applied) else "duplicate"
            metrics.consumed.labels(metrics.service, envelope.type, label).inc()
        elif outcome.retryable:
            rerouting.retry(message, outcome.error, envelope)
        else:
            rerouting.dead_letter(message, outcome.error, envelope)


def settle_stored(messages: Sequence[Any], outcomes: Sequence[Outcome]) -> None:
    """Raw messages: ack what the store kept; when it failed (database down), the message
    stays queued and the consumer pauses a second."""
    for message, outcome in zip(messages, outcomes, strict=True):
        if isinstance(outcome, (Applied, Duplicate)):
            message.ack()
        else:
            message.requeue()
            eventlet.sleep(1.0)
