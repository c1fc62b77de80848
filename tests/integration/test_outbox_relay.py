"""The relay publishes `mandatory`: an event no queue would take stays in the outbox."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from tests.support import events
from tests.support.services import in_process
from tests.support.waiting import wait_until


def test_an_unroutable_event_is_kept_and_published_once_a_queue_is_bound(
    clean, engine, amqp_uri, database_url
):
    from proposals.service import ProposalsService

    exchange = f"test.noalternate.{uuid.uuid4().hex[:6]}"
    config = {"EVENTS_EXCHANGE": exchange, "EVENTS_ALTERNATE_EXCHANGE": ""}
    with in_process(ProposalsService, amqp_uri, database_url, **config) as base:
        import requests

        assert (
            requests.post(
                f"{base}/api/v1/events", json=events.submitted("UR-1"), timeout=10
            ).status_code
            == 202
        )
        wait_until(
            lambda: (
                'grantflow_events_unroutable_total{service="proposals",'
                'type="proposal_submitted"}' in requests.get(f"{base}/metrics").text
            ),
            10,
            "the broker to return the event",
        )
        assert _unpublished(engine) == 1

        queue = clean.channel.queue_declare("", exclusive=True).method.queue
        clean.channel.queue_bind(queue, exchange, "#")
        received = []
        wait_until(
            lambda: received.extend(clean.get_all(queue)) or received,
            10,
            "the event once a queue is bound",
        )
        assert received[0].json()["subject"] == "UR-1"
        wait_until(lambda: _unpublished(engine) == 0, 10, "the row to be marked published")


def _unpublished(engine):
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT count(*) FROM proposals_outbox WHERE published_at IS NULL")
        ).scalar()


def test_one_relay_at_a_time_publishes_a_services_outbox_in_its_order(
    clean, engine, amqp_uri, database_url
):
    """Another replica's relay holds the lock (here a connection of the test): this one
    publishes nothing, its rows wait; once the lock is free, every row goes out in order."""
    import requests

    from proposals.service import ProposalsService

    captured = clean.capture()
    other_relay = engine.connect()
    held = other_relay.begin()
    other_relay.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended('relay:proposals_outbox', 0))")
    )
    try:
        with in_process(ProposalsService, amqp_uri, database_url) as base:
            for n in range(3):
                body = events.submitted(f"ONE-{n}")
                assert requests.post(f"{base}/api/v1/events", json=body, timeout=10).ok
            wait_until(lambda: _unpublished(engine) == 3, 10, "three rows in the outbox")
            requests.post(f"{base}/api/v1/events", json=events.submitted("ONE-3"), timeout=10)
            wait_until(  # the relay looked (it gauges the backlog when it published nothing)
                lambda: (
                    'grantflow_outbox_backlog_events{service="proposals"} 4.0'
                    in requests.get(f"{base}/metrics", timeout=10).text
                ),
                10,
                "the relay to find the lock taken with four rows waiting",
            )
            assert _unpublished(engine) == 4
            assert clean.get_all(captured) == []
            held.rollback()  # the other relay is gone
            received = []
            wait_until(
                lambda: received.extend(clean.get_all(captured)) or len(received) == 4,
                10,
                "the four events once the lock is free",
            )
            assert [r.json()["subject"] for r in received] == [f"ONE-{n}" for n in range(4)]
            wait_until(lambda: _unpublished(engine) == 0, 10, "the rows to be marked published")
    finally:
        other_relay.close()
