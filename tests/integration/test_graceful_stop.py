"""SIGTERM or SIGKILL while a handler is in flight, then a restart: exactly one effect."""

from __future__ import annotations

import signal

import pytest
from sqlalchemy import text

from tests.support import events
from tests.support.broker import DEAD
from tests.support.services import ServiceProcess
from tests.support.waiting import wait_until

INGEST_QUEUE = "grantflow.lifecycle.proposals"


def _waiting_on_lock(engine) -> bool:
    with engine.connect() as conn:
        return bool(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND query ILIKE '%proposals_proposal%'"
                )
            ).scalar()
        )


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_a_stop_during_a_slow_handler_then_a_restart_applies_the_event_once(
    clean, engine, amqp_uri, database_url, signum
):
    env = {"AMQP_URI": amqp_uri, "DATABASE_URL": database_url}
    pid = f"ST-{signum.name}"
    first = ServiceProcess("proposals", env).start()
    try:
        clean.publish(events.submitted(pid))
        wait_until(lambda: _state(engine, pid) == "submitted", 15, "the submission")

        # Hold the proposal's row: the next handler blocks on it, i.e. is slow and in flight.
        blocker = engine.connect()
        blocker.execute(
            text("SELECT 1 FROM proposals_proposal WHERE proposal_id = :p FOR UPDATE"), {"p": pid}
        )
        appraisal = events.appraised(pid)
        clean.publish(appraisal)
        wait_until(lambda: _waiting_on_lock(engine), 15, "the handler to wait on the row lock")

        first.signal(signum)
        blocker.rollback()
        blocker.close()
        code = first.wait(30)
        assert code == (0 if signum == signal.SIGTERM else -signal.SIGKILL), first.output()
    finally:
        first.stop()

    second = ServiceProcess("proposals", env).start()
    try:
        wait_until(lambda: _state(engine, pid) == "in_appraisal", 15, "the appraisal")
        wait_until(lambda: clean.depth(INGEST_QUEUE) == 0, 15, "the queue to drain")
        with engine.connect() as conn:
            applied = conn.execute(
                text("SELECT count(*) FROM proposals_history WHERE event_id = :e"),
                {"e": appraisal["id"]},
            ).scalar()
        assert applied == 1
        assert clean.depth(DEAD) == 0
    finally:
        second.stop()


def _state(engine, pid):
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT state FROM proposals_proposal WHERE proposal_id = :p"), {"p": pid}
        ).scalar()
