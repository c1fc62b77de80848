"""The broker unreachable while changes commit: every event arrives once it is back."""

from __future__ import annotations

from urllib.parse import urlsplit

import requests

from tests.support import events
from tests.support.proxy import TcpProxy
from tests.support.services import in_process
from tests.support.waiting import wait_until


def _ready(base):
    return requests.get(f"{base}/health/ready", timeout=5).json()["checks"]


def test_events_committed_while_the_broker_is_down_are_all_published_after(
    clean, engine, amqp_uri, database_url
):
    from proposals.service import ProposalsService

    parts = urlsplit(amqp_uri)
    proxy = TcpProxy(parts.port or 5672)
    via_proxy = parts._replace(netloc=f"guest:guest@127.0.0.1:{proxy.port}").geturl()
    captured = clean.capture(("proposal_submitted",))
    try:
        with in_process(ProposalsService, via_proxy, database_url) as base:
            proxy.cut()
            wait_until(lambda: not _ready(base)["broker"], 15, "readiness to see the outage")

            for n in range(100):
                response = requests.post(
                    f"{base}/api/v1/events", json=events.submitted(f"OU-{n}"), timeout=10
                )
                assert response.status_code == 202, response.text
            metrics = requests.get(f"{base}/metrics", timeout=5).text
            wait_until(
                lambda: (
                    'grantflow_outbox_backlog_events{service="proposals"} 100.0'
                    in requests.get(f"{base}/metrics", timeout=5).text
                ),
                15,
                "the backlog gauge to show 100 waiting events",
            )
            assert clean.depth(captured) == 0, metrics

            proxy.restore()
            received = []
            wait_until(
                lambda: received.extend(clean.get_all(captured)) or len(received) >= 100,
                30,
                "100 events after the broker came back",
            )
            assert len({m.json()["id"] for m in received}) == 100
            assert {m.json()["subject"] for m in received} == {f"OU-{n}" for n in range(100)}
            wait_until(lambda: _ready(base)["broker"], 15, "the consumer to reconnect")
    finally:
        proxy.close()
