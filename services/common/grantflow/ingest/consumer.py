"""The ingest entrypoints: a queue consumed in batches, one worker each, on one core."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterable
from typing import Any

import eventlet
from kombu import Consumer, Queue
from nameko.extensions import Entrypoint

from grantflow.amqp import (
    connect,
    declare_consumer_queue,
    declare_events_exchange,
    declare_lifecycle,
)
from grantflow.config import settings
from grantflow.contract import Envelope
from grantflow.ingest.dispositions import dispose_batch
from grantflow.ingest.rerouting import Rerouting
from grantflow.metrics import ServiceMetrics
from grantflow.trust import check_domain_event, sender_of, source_policy

log = logging.getLogger(__package__)  # "grantflow.ingest", the name its log lines always had


class Ingest(Entrypoint):
    """The core of the three ingest entrypoints: a queue consumed in batches, each applied by
    one worker of `method(self, batch) -> list[Outcome]`, then each message disposed of.

    The entrypoints differ only in their exchange, their queue, what they hand over and the
    source check: `lifecycle_ingest`, `domain_event_ingest`, `dead_letter_ingest`.
    """

    from_domain_events = False  # consume `grantflow.events` rather than `grantflow.lifecycle`
    raw = False  # hand the messages over unparsed (the dead-letter store wants them so)
    # one replica at a time applies the queue, in its order (`x-single-active-consumer`):
    # what each proposal's events need (docs/capacity.md, "Per-proposal order with replicas")
    ordered = True

    def __init__(
        self,
        accepted_types: Iterable[str],
        routing_keys: Iterable[str] | None = None,
        queue: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.accepted_types = tuple(accepted_types)
        self.routing_keys = tuple(routing_keys or accepted_types)
        self.queue_name = queue or ""  # "" until setup(): then the service's own
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

    def check_source(self, envelope: Envelope, message: Any) -> None:
        """Refused unless the event's source may send it on this queue."""

    def start(self) -> None:
        self._thread = self.container.spawn_managed_thread(self._run, identifier="ingest")

    def stop(self) -> None:
        self._stopping = True
        self._thread.wait()

    def kill(self) -> None:
        self._stopping = True

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
            delay_queues = self._declare_queues(channel, conn.channel)
            channel.basic_qos(0, self.batch_size * 2, False)
            publisher = conn.channel()
            publisher.confirm_select()
            rerouting = Rerouting(
                publisher,
                delay_queues,
                self.delays,
                self.window,
                self.cfg.dead_letter_queue,
                self.container,
                self.metrics,
            )
            consumer = Consumer(
                channel,
                queues=[Queue(self.queue_name, no_declare=True)],
                on_message=pending.append,
                no_ack=False,
            )
            consumer.consume()
            self.connected = True
            self._consume_in_batches(conn, pending, rerouting)
            consumer.cancel()
            self.connected = False

    def _declare_queues(self, channel: Any, scratch: Any) -> dict[float, str]:
        """The exchanges, this service's queue and its delay queues (delay -> queue name)."""
        declare_lifecycle(channel, self.cfg)
        if self.from_domain_events:
            declare_events_exchange(channel, self.exchange, self.alternate)
        return declare_consumer_queue(
            channel,
            self.queue_name,
            self.exchange,
            self.routing_keys,
            self.delays,
            ordered=self.ordered,
            scratch=scratch,
        )

    def _consume_in_batches(self, conn: Any, pending: list[Any], rerouting: Rerouting) -> None:
        """A batch is handled when it is full or its first message has lingered long enough."""
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
                dispose_batch(self, batch, rerouting)


class LifecycleIngest(Ingest):
    """`grantflow.lifecycle` into the service's own queue: internal systems' events, each
    checked against the sources that may send its type (`grantflow.trust`)."""

    def check_source(self, envelope: Envelope, message: Any) -> None:
        source_policy().check(envelope.type, envelope.source, sender_of(message))


class DomainEventIngest(Ingest):
    """Other services' domain events from `grantflow.events`, each only from the service
    that emits its type (`grantflow.trust.DOMAIN_EVENT_SOURCES`)."""

    from_domain_events = True

    def check_source(self, envelope: Envelope, message: Any) -> None:
        check_domain_event(envelope.type, envelope.source)


class DeadLetterIngest(Ingest):
    """Everything any service dead-lettered (`grantflow.lifecycle.dead`), handed over raw;
    stored in any order, so replicas compete for it."""

    raw = True
    ordered = False

    def __init__(self, **kwargs: Any) -> None:
        super().__init__((), **kwargs)

    def setup(self) -> None:
        super().setup()
        self.queue_name = self.cfg.dead_letter_queue


lifecycle_ingest = LifecycleIngest.decorator
domain_event_ingest = DomainEventIngest.decorator
dead_letter_ingest = DeadLetterIngest.decorator
