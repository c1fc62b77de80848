"""Money under reordering (issue 12, section 1), from outside: the four services as processes
on PostgreSQL, a correct history of 1,000 proposals published in bulk with every event of each
proposal (and of each plan) shuffled and the proposals interleaved, then every province's
totals checked to the dong and no dead letter.

The payment goes straight to the disbursement service while the acceptance, settlement and
cancellation go through the proposals service and its domain events: whichever comes first,
the ledger must end the same. Before this was decided, 2/3 of the final payments that raced
their settlement were dead-lettered as `illegal_transition`; before the full shuffle was, a
contract arriving after its (later-dated) cancellation was refused the same way.

The shuffle is seeded: `GRANTFLOW_TEST_MONEY_SEED` replays one; a failure names its seed.
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from contextlib import ExitStack

import pytest
from sqlalchemy import text

from tests.e2e.conftest import Pipeline
from tests.support import totals
from tests.support.broker import DEAD, Broker, publish_in_bulk
from tests.support.history import YEAR, history
from tests.support.services import ServiceProcess, free_port
from tests.support.waiting import wait_until

PROPOSALS = int(os.environ.get("GRANTFLOW_TEST_MONEY_PROPOSALS", "1000"))
SEED = int(os.environ.get("GRANTFLOW_TEST_MONEY_SEED") or random.randrange(10**6))
AS_OF = f"{YEAR}-12-31"
# The four services the money passes through (the "four services as processes"): the
# registry and the workspace hold no money; left out, their CPU goes to these on a 2-core box.
MONEY_SERVICES = ("proposals", "disbursement", "reporting", "notifications")


@pytest.fixture
def running(clean, engine, amqp_uri, database_url):
    """Every service as a process, as operators run them. Early events are retried for ten
    minutes, as in production, not the tests' 4 s: a proposal's submission may come last of
    its events, and on a loaded machine the others wait for it longer than that (every retry
    goes back behind what is still queued)."""
    from aiosmtpd.controller import Controller

    from tests.integration.conftest import SmtpSink

    smtp = Controller(SmtpSink(), hostname="127.0.0.1", port=free_port())
    smtp.start()
    env = {
        "AMQP_URI": amqp_uri,
        "DATABASE_URL": database_url,
        "INGEST_RETRY_WINDOW_SECONDS": "600",
        "REPORTING_LAG_INTERVAL_SECONDS": "86400",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "RECIPIENTS_FILE": "",
    }
    with ExitStack() as stack:
        stack.callback(smtp.stop)
        procs = {}
        for name in MONEY_SERVICES:
            proc = ServiceProcess(name, env).start()
            stack.callback(proc.stop)
            procs[name] = proc
        yield (
            Pipeline(
                procs["proposals"].base,
                procs["disbursement"].base,
                procs["reporting"].base,
                clean,
                engine,
            ),
            procs,
        )


@pytest.mark.timeout(900)  # ~10,000 events through four processes; minutes on a busy machine
def test_a_shuffled_history_of_1000_proposals_ends_with_every_total_right_and_no_dead_letter(
    running,
):
    pipeline, procs = running
    h = history(PROPOSALS, seed=SEED, every_event=True)
    events = h.events()
    print(f"history seed {SEED} (GRANTFLOW_TEST_MONEY_SEED={SEED} replays it)")
    started = time.monotonic()
    publish_in_bulk(pipeline.broker.uri, events)
    try:
        _quiet(pipeline, timeout=700)  # minutes only when the machine is busy
    except TimeoutError as exc:
        logs = {name: str(proc.log) for name, proc in procs.items()}
        raise AssertionError(
            f"seed {SEED}: {exc}: {_where_things_stand(pipeline)}; logs {logs}"
        ) from None
    fresh = Broker(pipeline.broker.uri)  # the fixture's connection has been idle for minutes
    try:
        wait_until(lambda: fresh.depth(DEAD) == 0, 30, "the dead letters to be stored")
    finally:
        fresh.close()
    took = time.monotonic() - started

    with pipeline.engine.connect() as conn:
        dead = Counter(
            (r.type, r.code)
            for r in conn.execute(text("SELECT type, code FROM reporting_dead_letter"))
        )
    listed = pipeline.get("reporting", "/api/v1/dead-letters", limit=5).json()
    assert listed["total"] == sum(dead.values())
    assert listed["total"] == 0, (
        f"seed {SEED}: {sum(dead.values())} of {len(events)} events dead-lettered "
        f"({h.final_payments} final payments): {dict(dead)}; e.g. "
        + "; ".join(d["detail"] for d in listed["items"][:3])
    )

    reported = totals.reported(pipeline, AS_OF)
    ledger = totals.in_ledger(pipeline, YEAR, AS_OF)
    expected = totals.expected(h)
    assert {c for c, t in expected.items() if t[3]} == set(expected)  # refunds everywhere
    assert {c for c, t in expected.items() if t[4]} == set(expected)  # and something owed
    assert reported == expected, (
        f"seed {SEED}: reporting (allocated, committed, disbursed, refunded, owed)"
    )
    assert ledger == expected, (
        f"seed {SEED}: disbursement (allocated, committed, disbursed, refund due, owed)"
    )
    print(f"{len(events)} events of {PROPOSALS} proposals settled in {took:.1f} s")


def _quiet(pipeline: Pipeline, timeout: float) -> None:
    """`pipeline.quiet()`, keeping the fixture's broker connection alive meanwhile (idle for
    minutes, the broker would close it for missed heartbeats and the teardown would fail)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            pipeline.quiet(timeout=min(20, max(1, deadline - time.monotonic())))
            return
        except TimeoutError:
            if time.monotonic() >= deadline:
                raise
            pipeline.broker.connection.process_data_events(0)


def _where_things_stand(pipeline: Pipeline) -> dict[str, int] | str:
    """Queue depths, unpublished outbox rows and inbox counts, to see what is stuck."""
    from grantflow_tools.quiet import Watcher, queue_names

    try:
        watcher = Watcher(pipeline.engine, pipeline.broker.uri)
    except Exception as exc:  # the broker itself is what is stuck
        return repr(exc)
    try:
        seen = {q: watcher.depth(q) for q in queue_names()}
        seen = {q: n for q, n in seen.items() if n}
        for t in ("proposals_outbox", "disbursement_outbox", "reporting_outbox"):
            seen[t + " unpublished"] = watcher.count(
                f"SELECT count(*) FROM {t} WHERE published_at IS NULL"
            )
            seen[t] = watcher.count(f"SELECT count(*) FROM {t}")
        for t in ("proposals_inbox", "disbursement_inbox", "reporting_inbox"):
            seen[t] = watcher.count(f"SELECT count(*) FROM {t}")
        seen["dead letters"] = watcher.count("SELECT count(*) FROM reporting_dead_letter")
        return seen
    finally:
        watcher.close()
