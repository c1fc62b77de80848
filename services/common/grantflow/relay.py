"""The outbox relay: publishes a service's outbox rows to the domain-event exchange.

A batch of rows goes out in one AMQP transaction with `mandatory=True`; rows are marked
published only after the broker has committed them, and a row the broker returned stays in
the outbox. A crash between commit and marking re-publishes the batch: consumers de-duplicate
by event id.

With several replicas, one relay at a time publishes a service's outbox (PostgreSQL: a
transaction-scoped advisory lock named after the outbox, taken before the rows are read), so
the events leave in the outbox's order, which for one aggregate is the order its changes
committed in (its row is locked until the change commits). The others find the lock taken
and wait for their next poll; a relay that dies releases it with its connection.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import eventlet
from eventlet.event import Event
from nameko.extensions import DependencyProvider
from sqlalchemy import ARRAY, BigInteger, Engine, any_, bindparam, func, select, update

from grantflow.amqp import connect, declare_events_exchange, persistent_message
from grantflow.config import settings
from grantflow.contract import CONTENT_TYPE
from grantflow.db import Database, is_postgres
from grantflow.journal import Outbox
from grantflow.metrics import ServiceMetrics

log = logging.getLogger(__name__)


class OutboxRelay(DependencyProvider):
    """Runs the relay loop beside the service; wakes up after every worker that finishes."""

    def __init__(self, outbox: Outbox, database: Database) -> None:
        self.outbox = outbox
        self.database = database  # the service's, bound to the same instance (grantflow.db)

    def setup(self) -> None:
        cfg = settings()
        self.exchange = self.container.config.get("EVENTS_EXCHANGE") or cfg.events_exchange
        self.alternate = self.container.config.get(
            "EVENTS_ALTERNATE_EXCHANGE", cfg.events_alternate_exchange
        )
        self.uri = self.container.config.get("AMQP_URI") or cfg.amqp_uri
        self.batch_size = cfg.outbox_batch_size
        self.poll_seconds = cfg.outbox_poll_seconds
        self.metrics = ServiceMetrics.of(self.container)
        self._wake = Event()
        self._stopping = False
        self._conn: Any = None
        self._channel: Any = None
        table = self.outbox.table
        # one relay at a time per service: a CTE with a volatile function is evaluated once
        lock = func.pg_try_advisory_xact_lock(func.hashtextextended(f"relay:{table.name}", 0))
        self._leader = select(lock.label("ok")).cte("leader")
        self._mark = (
            update(table)
            .where(table.c.seq == any_(bindparam("seqs", type_=ARRAY(BigInteger))))
            .values(published_at=bindparam("at"))
        )

    def start(self) -> None:
        database = self.database
        if database.engine is None:  # made in setup(), which runs before any start()
            raise RuntimeError("the database dependency has no engine")
        self.engine: Engine = database.engine
        self._thread = self.container.spawn_managed_thread(self._run, identifier="outbox_relay")

    def stop(self) -> None:
        self._stopping = True
        self.wake()
        self._thread.wait()
        self._disconnect()

    def kill(self) -> None:
        self._stopping = True
        self._disconnect()

    def get_dependency(self, worker_ctx: Any) -> OutboxRelay:
        return self

    def worker_result(self, worker_ctx: Any, result: Any = None, exc_info: Any = None) -> None:
        self.wake()

    def wake(self) -> None:
        if not self._wake.ready():
            self._wake.send(True)

    def _run(self) -> None:
        backoff = 0.5
        observed = 0.0  # monotonic time of the last backlog gauge
        while not self._stopping:
            self._wake = Event()  # reset before looking, so a wake during the batch is kept
            try:
                published = self.relay_once()
                backoff = 0.5
            except Exception as exc:  # broker or database down: keep the rows, try again
                log.warning("outbox relay failed, retrying in %.1fs: %s", backoff, exc)
                self._disconnect()
                self.observe_backlog()
                eventlet.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            # count+min after every batch was 3-5% of CPU: while publishing, once a second;
            # when there was nothing to publish, at every poll
            if published == 0 or time.monotonic() - observed >= 1.0:
                self.observe_backlog()
                observed = time.monotonic()
            if published < self.batch_size:
                eventlet.with_timeout(self.poll_seconds, self._wake.wait, timeout_value=None)

    def relay_once(self) -> int:
        """Publish one batch of unpublished rows; returns how many the broker accepted."""
        table = self.outbox.table
        query = (
            select(table.c.seq, table.c.event_id, table.c.type, table.c.body)
            .where(table.c.published_at.is_(None))
            .order_by(table.c.seq)
            .limit(self.batch_size)
        )
        postgres = is_postgres(self.engine)
        if postgres:  # no rows while another replica's relay holds the lock (the same trip)
            query = query.select_from(table.join(self._leader, self._leader.c.ok))
            query = query.with_for_update(of=table, skip_locked=True)
        with self.engine.begin() as conn:
            rows = conn.execute(query).all()
            if not rows:
                return 0
            returned = self._publish(rows)
            done = [r.seq for r in rows if r.event_id not in returned]
            if done and postgres:  # one cached statement whatever the page: an array
                conn.execute(self._mark, {"seqs": done, "at": datetime.now(UTC)})
            elif done:
                marked = update(table).where(table.c.seq.in_(done))
                conn.execute(marked.values(published_at=datetime.now(UTC)))
        for r in rows:
            counter = self.metrics.unroutable if r.event_id in returned else self.metrics.published
            counter.labels(self.metrics.service, r.type).inc()
        if returned:
            log.error("broker returned %d unroutable events; kept in the outbox", len(returned))
        return len(done)

    def observe_backlog(self) -> None:
        """Set the backlog gauges; they matter most while the broker is down."""
        table = self.outbox.table
        try:
            with self.engine.connect() as conn:
                backlog, oldest = conn.execute(
                    select(func.count(), func.min(table.c.created_at)).where(
                        table.c.published_at.is_(None)
                    )
                ).one()
        except Exception as exc:
            log.warning("outbox backlog unknown: %s", exc)
            return
        self.metrics.outbox_backlog.labels(self.metrics.service).set(backlog)
        age = 0.0
        if oldest is not None:
            if oldest.tzinfo is None:
                oldest = oldest.replace(tzinfo=UTC)
            age = max(0.0, (datetime.now(UTC) - oldest).total_seconds())
        self.metrics.outbox_age.labels(self.metrics.service).set(age)

    def _publish(self, rows: Sequence[Any]) -> set[str]:
        channel = self._ensure_channel()
        returned: set[str] = set()

        def on_return(exc: Any, exchange: str, routing_key: str, message: Any) -> None:
            returned.add(message.properties.get("message_id"))

        channel.events["basic_return"].add(on_return)
        try:
            for r in rows:
                message = persistent_message(
                    r.body.encode("utf-8"),
                    {
                        "content_type": CONTENT_TYPE,
                        "content_encoding": "utf-8",
                        "message_id": r.event_id,
                    },
                )
                channel.basic_publish(message, self.exchange, r.type, mandatory=True)
            channel.tx_commit()  # the broker sends basic.return before tx.commit-ok
        finally:
            channel.events["basic_return"].discard(on_return)
        return returned

    def _ensure_channel(self) -> Any:
        if self._channel is None:
            self._conn = connect(self.uri)
            channel = self._conn.channel()
            declare_events_exchange(channel, self.exchange, self.alternate)
            channel.tx_select()
            self._channel = channel
        return self._channel

    def _disconnect(self) -> None:
        conn, self._conn, self._channel = self._conn, None, None
        if conn is not None:
            try:
                conn.release()
            except Exception:  # already broken; nothing more to release
                log.debug("closing a broken broker connection", exc_info=True)
