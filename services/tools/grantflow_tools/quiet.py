"""Waiting until a run is quiet: every event published was applied where it goes.

For the demo and the end-to-end tests, which watch the whole system from outside: the
lifecycle and domain-event queues (and their delay queues) are empty, every outbox is
published, and every published domain event is in reporting's inbox (and the proposals'
events disbursement takes, in disbursement's inbox). Not used by the services themselves.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pika
from sqlalchemy import Engine, text

from grantflow.config import settings
from grantflow_tools.registry import SERVICES


def base_queues() -> list[str]:
    return [
        f"{exchange}.{name}"
        for name in SERVICES
        for exchange in ("grantflow.lifecycle", "grantflow.events")
    ]


def with_retries(base: str) -> list[str]:
    delays = settings().ingest_retry_delays_seconds
    return [base, *(f"{base}.retry.{int(d * 1000)}ms" for d in delays)]


def queue_names() -> list[str]:
    return [q for base in base_queues() for q in with_retries(base)]


class Watcher:
    def __init__(self, engine: Engine, amqp_uri: str) -> None:
        self.engine = engine
        self.connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
        self.channel = self.connection.channel()

    def depth(self, queue: str) -> int:
        try:
            return self.channel.queue_declare(queue, passive=True).method.message_count
        except pika.exceptions.ChannelClosedByBroker:  # not declared: nothing waits there
            self.channel = self.connection.channel()
            return 0

    def consumers(self, queue: str) -> int:
        try:
            return self.channel.queue_declare(queue, passive=True).method.consumer_count
        except pika.exceptions.ChannelClosedByBroker:
            self.channel = self.connection.channel()
            return 0

    def watched(self) -> list[str]:
        """The queues of the services running: a service's queue with no consumer (a run
        without that service, e.g. a test's pipeline without the registry) cannot settle.
        Its delay queues never have consumers, so they go with their service's queue."""
        return [q for base in base_queues() if self.consumers(base) for q in with_retries(base)]

    def count(self, sql: str) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar_one())

    def quiet(self) -> bool:
        from disbursement.handlers import PROPOSAL_EVENTS

        if any(self.depth(q) for q in self.watched()):
            return False
        outboxes = ("proposals_outbox", "disbursement_outbox")
        if any(
            self.count(f"SELECT count(*) FROM {t} WHERE published_at IS NULL")
            for t in (*outboxes, "reporting_outbox", "registry_outbox")
        ):
            return False
        published = sum(self.count(f"SELECT count(*) FROM {t}") for t in outboxes)
        wanted = ",".join(f"'{t}'" for t in PROPOSAL_EVENTS)
        return self.count("SELECT count(*) FROM reporting_inbox") == published and self.count(
            "SELECT count(*) FROM disbursement_inbox WHERE source = 'grantflow/proposals'"
        ) == self.count(f"SELECT count(*) FROM proposals_outbox WHERE type IN ({wanted})")

    def close(self) -> None:
        if self.connection.is_open:
            self.connection.close()


def wait_until_quiet(
    engine: Engine, amqp_uri: str, timeout: float = 120, progress: Callable[[], None] | None = None
) -> None:
    """Return once the run is quiet twice in a row; TimeoutError after `timeout` s."""
    watcher = Watcher(engine, amqp_uri)
    deadline, streak = time.monotonic() + timeout, 0
    try:
        while streak < 2:
            streak = streak + 1 if watcher.quiet() else 0
            if time.monotonic() > deadline:
                raise TimeoutError(f"not quiet after {timeout:.0f} s")
            if progress:
                progress()
            time.sleep(0.05)
    finally:
        watcher.close()
