"""The ingest consumer: lifecycle events from `grantflow.lifecycle` into a service, in batches.

One durable queue per service, bound for the routing keys it handles. Messages are validated
here; the valid ones of a batch are handed to one worker that applies them in one database
transaction. Only then is each message settled: acked when applied (or a duplicate), sent to a
delay queue when early (inside the retry window), or dead-lettered, body unchanged, with
`x-error-code` and `x-error-detail`. A message is acked only after its retry or dead letter is
confirmed by the broker, so nothing is lost; a crash before that redelivers it, and the inbox
makes the second delivery a duplicate.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import eventlet
from eventlet.event import Event
from kombu import Consumer, Queue
from nameko.extensions import Entrypoint

from grantflow.amqp import (
    connect,
    declare_consumer_queue,
    declare_events_exchange,
    declare_lifecycle,
    persistent_message,
)
from grantflow.audit import REFUSED, AuditTrail, Entry
from grantflow.config import settings
from grantflow.contract import Envelope, contract
from grantflow.errors import Early, Refused
from grantflow.metrics import ServiceMetrics
from grantflow.outcomes import Applied, Duplicate, NotApplied, Outcome
from grantflow.trust import source_policy

log = logging.getLogger(__name__)

FIRST_SEEN = "x-grantflow-first-seen"
ATTEMPTS = "x-grantflow-attempts"


@dataclass(frozen=True, slots=True)
class RawMessage:
    body: bytes
    headers: dict[str, Any]
    routing_key: str

    @classmethod
    def of(cls, message: Any) -> RawMessage:
        body = message.body  # py-amqp decodes a body that declares its content encoding
        if isinstance(body, str):
            body = body.encode(message.content_encoding or "utf-8")
        return cls(body, dict(message.headers or {}), message.delivery_info.get("routing_key", ""))


class LifecycleIngest(Entrypoint):
    """Decorates `method(self, events: list[Envelope]) -> list[Outcome]`.

    By default it consumes the contract's `grantflow.lifecycle`; with `from_domain_events`
    it consumes other services' domain events from `grantflow.events` the same way.
    """

    def __init__(
        self,
        accepted_types: Iterable[str],
        routing_keys: Iterable[str] | None = None,
        queue: str | None = None,
        from_domain_events: bool = False,
        raw: bool = False,
        **kwargs: Any,
    ) -> None:
        self.accepted_types = tuple(accepted_types)
        self.routing_keys = tuple(routing_keys or accepted_types)
        self.queue_name = queue
        self.from_domain_events = from_domain_events
        self.raw = raw  # hand the messages over unparsed (the dead-letter store wants them so)
        super().__init__(**kwargs)

    def setup(self) -> None:
        cfg = settings()
        self.cfg = cfg
        config = self.container.config
        self.uri = config.get("AMQP_URI") or cfg.amqp_uri
        if self.from_domain_events:
            self.exchange = config.get("EVENTS_EXCHANGE") or cfg.events_exchange
            self.alternate = config.get("EVENTS_ALTERNATE_EXCHANGE", cfg.events_alternate_exchange)
        else:
            self.exchange, self.alternate = cfg.lifecycle_exchange, ""
        self.queue_name = self.queue_name or f"{self.exchange}.{self.container.service_name}"
        self.delays = cfg.ingest_retry_delays_seconds
        self.window = float(
            config.get("INGEST_RETRY_WINDOW_SECONDS", cfg.ingest_retry_window_seconds)
        )
        self.batch_size = cfg.ingest_batch_size
        self.linger = cfg.ingest_batch_linger_ms / 1000
        self.metrics = ServiceMetrics.of(self.container)
        self._stopping = False
        self.connected = False

    def start(self) -> None:
        self._thread = self.container.spawn_managed_thread(self._run, identifier="ingest")

    def stop(self) -> None:
        self._stopping = True
        self._thread.wait()

    def kill(self) -> None:
        self._stopping = True

    # The consume loop -------------------------------------------------------------------

    def _run(self) -> None:
        backoff = 0.5
        while not self._stopping:
            try:
                self._consume()
                backoff = 0.5
            except Exception as exc:  # broker gone: unacked messages return to the queue
                self.connected = False
                if self._stopping:
                    break
                log.warning("ingest connection lost, reconnecting in %.1fs: %s", backoff, exc)
                eventlet.sleep(backoff)
                backoff = min(backoff * 2, 30.0)

    def _consume(self) -> None:
        pending: list[Any] = []
        with connect(self.uri) as conn:
            channel = conn.channel()
            declare_lifecycle(channel, self.cfg)
            if self.from_domain_events:
                declare_events_exchange(channel, self.exchange, self.alternate)
            self.delay_queues = declare_consumer_queue(
                channel,
                self.queue_name,
                self.exchange,
                self.routing_keys,
                self.delays,
            )
            channel.basic_qos(0, self.batch_size * 2, False)
            publisher = conn.channel()
            publisher.confirm_select()
            consumer = Consumer(
                channel,
                queues=[Queue(self.queue_name, no_declare=True)],
                on_message=pending.append,
                no_ack=False,
            )
            consumer.consume()
            self.connected = True
            first_at = 0.0
            last_beat = time.monotonic()
            while not self._stopping:
                wait = 1.0 if not pending else max(0.0, self.linger - (time.monotonic() - first_at))
                seen = len(pending)
                with contextlib.suppress(TimeoutError):
                    conn.drain_events(timeout=wait)
                now = time.monotonic()
                if now - last_beat > 1.0:
                    conn.heartbeat_check()
                    last_beat = now
                if pending and seen == 0:
                    first_at = now
                if pending and (len(pending) >= self.batch_size or now - first_at >= self.linger):
                    batch, pending[:] = list(pending), []
                    self._settle(batch, publisher)
            consumer.cancel()
            self.connected = False

    # Settling a batch -------------------------------------------------------------------

    def _settle(self, messages: Sequence[Any], publisher: Any) -> None:
        if self.raw:
            outcomes = self._apply([RawMessage.of(m) for m in messages])
            for message, outcome in zip(messages, outcomes, strict=True):
                if isinstance(outcome, (Applied, Duplicate)):
                    message.ack()
                else:  # the store failed (database down): the message stays queued
                    message.requeue()
                    eventlet.sleep(1.0)
            return
        valid: list[tuple[Any, Envelope]] = []
        for message in messages:
            try:
                envelope = contract().parse(message.body, self.accepted_types)
            except Refused as error:
                self._dead_letter(publisher, message, error, None)
                continue
            try:
                if not self.from_domain_events:  # grantflow.events: only our services write there
                    source_policy().check(envelope.type, envelope.source)
            except Refused as error:
                self._dead_letter(publisher, message, error, envelope)
                continue
            valid.append((message, envelope))
        if not valid:
            return
        outcomes = self._apply([envelope for _, envelope in valid])
        for (message, envelope), outcome in zip(valid, outcomes, strict=True):
            if isinstance(outcome, (Applied, Duplicate)):
                message.ack()
                label = "applied" if isinstance(outcome, Applied) else "duplicate"
                self.metrics.consumed.labels(self.metrics.service, envelope.type, label).inc()
            elif outcome.retryable:
                self._retry(publisher, message, outcome.error, envelope)
            else:
                self._dead_letter(publisher, message, outcome.error, envelope)

    def _apply(self, events: list[Any]) -> list[Outcome]:
        done: Event = Event()

        def handle_result(worker_ctx: Any, result: Any, exc_info: Any) -> tuple[Any, Any]:
            done.send((result, exc_info))
            return result, exc_info

        self.container.spawn_worker(self, (events,), {}, handle_result=handle_result)
        result, exc_info = done.wait()
        self.metrics.batch_size.labels(self.metrics.service).observe(len(events))
        if exc_info is None:
            return result
        log.error("applying a batch of %d events failed", len(events), exc_info=exc_info)
        error = Early("handler_error", f"the service could not apply the event: {exc_info[1]}")
        return [NotApplied(error) for _ in events]

    def _retry(self, publisher: Any, message: Any, error: Refused, envelope: Envelope) -> None:
        headers = dict(message.headers or {})
        now_ms = int(time.time() * 1000)
        first_seen = int(headers.get(FIRST_SEEN, now_ms))
        attempts = int(headers.get(ATTEMPTS, 0)) + 1
        elapsed = (now_ms - first_seen) / 1000
        if elapsed >= self.window:
            detail = (
                f"{error.detail} (still not applicable after {attempts - 1} retries"
                f" over {elapsed:.0f} s)"
            )
            self._dead_letter(publisher, message, Refused(error.code, detail), envelope)
            return
        delay = self.delays[min(attempts - 1, len(self.delays) - 1)]
        headers.update({FIRST_SEEN: first_seen, ATTEMPTS: attempts})
        self._republish(publisher, message, headers, self.delay_queues[delay])
        message.ack()
        self.metrics.consumed.labels(self.metrics.service, envelope.type, "retried").inc()
        log.info(
            "event retried in %.0fs: %s",
            delay,
            error,
            extra=_log_fields(envelope, message, error),
        )

    def _dead_letter(
        self, publisher: Any, message: Any, error: Refused, envelope: Envelope | None
    ) -> None:
        event_type = envelope.type if envelope else "invalid"  # never a raw type: label bound
        headers = dict(message.headers or {})
        headers.update(
            {
                "x-error-code": error.code,
                "x-error-detail": _header_text(error.detail),
                "x-grantflow-service": self.container.service_name,
                "x-original-exchange": message.delivery_info.get("exchange", ""),
                "x-original-routing-key": message.delivery_info.get("routing_key", ""),
            }
        )
        self._republish(publisher, message, headers, self.cfg.dead_letter_queue)
        message.ack()
        self._audit_dead_letter(message, error, envelope)
        self.metrics.dead_letters.labels(self.metrics.service, error.code).inc()
        self.metrics.consumed.labels(self.metrics.service, event_type, "dead_lettered").inc()
        log.warning(
            "event dead-lettered: %s",
            error,
            extra=_log_fields(envelope, message, error),
        )

    def _audit_dead_letter(self, message: Any, error: Refused, envelope: Envelope | None) -> None:
        """A dead letter is a refused attempt: into the service's audit trail, the actor being
        the event's source (read from the body when the event did not parse)."""
        trail = AuditTrail.of(self.container)
        if trail is None:
            return
        raw = _raw_fields(message.body) if envelope is None else {}
        source = envelope.source if envelope else raw.get("source")
        data = envelope.data if envelope else raw.get("data")
        proposal_id = data.get("proposal_id") if isinstance(data, dict) else None
        trail.refused(
            Entry(
                actor=source or "unknown",
                action=envelope.type if envelope else (raw.get("type") or "invalid"),
                outcome=REFUSED,
                source=source,
                event_id=envelope.id if envelope else raw.get("id"),
                subject=envelope.subject if envelope else raw.get("subject"),
                proposal_id=proposal_id if isinstance(proposal_id, str) else None,
                code=error.code,
                detail=f"dead-lettered: {_header_text(error.detail)}",
            )
        )

    def _republish(self, publisher: Any, message: Any, headers: dict[str, Any], queue: str) -> None:
        properties = {k: v for k, v in message.properties.items() if k != "application_headers"}
        properties["application_headers"] = headers
        publisher.basic_publish_confirm(
            persistent_message(message.body, properties),
            exchange="",
            routing_key=queue,
            mandatory=True,
        )


def _log_fields(envelope: Envelope | None, message: Any, error: Refused) -> dict[str, Any]:
    """What a JSON log line carries to find the event again: its id, source, type, the code."""
    return {
        "event_id": envelope.id if envelope else message.properties.get("message_id"),
        "event_source": envelope.source if envelope else None,
        "event_type": envelope.type if envelope else None,
        "error_code": error.code,
    }


def _raw_fields(body: Any) -> dict[str, Any]:
    """The text fields of an unparseable event that still are readable (source, type, id)."""
    try:
        raw = json.loads(body)
    except (ValueError, TypeError):
        return {}
    if not isinstance(raw, dict):
        return {}
    fields: dict[str, Any] = {
        k: raw[k][:200] for k in ("source", "type", "id", "subject") if isinstance(raw.get(k), str)
    }
    if isinstance(raw.get("data"), dict):
        fields["data"] = raw["data"]
    return fields


def _header_text(text: str, limit: int = 1000) -> str:
    return " ".join(text.split())[:limit]


lifecycle_ingest = LifecycleIngest.decorator
