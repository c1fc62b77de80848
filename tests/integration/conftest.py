"""The proposals service running in this process against the session's broker and database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from sqlalchemy import Engine, create_engine, func, select, text

from tests.support.broker import DEAD, Broker
from tests.support.services import in_process
from tests.support.waiting import wait_until

INGEST_QUEUE = "grantflow.lifecycle.proposals"


def _service_queues() -> list[str]:
    """Every queue a service consumes from (each service may bind both exchanges)."""
    from grantflow_tools.registry import SERVICES

    return [
        f"{exchange}.{name}"
        for name in SERVICES
        for exchange in ("grantflow.lifecycle", "grantflow.events")
    ]


def _service_tables() -> list[str]:
    """Every table of every registered service (`<package>.adapters.tables.metadata`)."""
    from importlib import import_module

    from grantflow_tools.registry import SERVICES

    return [
        t.name
        for entry in SERVICES.values()
        for t in import_module(f"{entry.package}.adapters.tables").metadata.sorted_tables
    ]


@dataclass
class Harness:
    base: str
    broker: Broker
    engine: Engine
    captured: str  # a queue bound to every domain event

    def post(self, event: dict[str, Any]) -> requests.Response:
        return requests.post(
            f"{self.base}/api/v1/events",
            json=event,
            timeout=10,
            headers={"Content-Type": "application/cloudevents+json"},
        )

    def get(self, path: str, **params: Any) -> requests.Response:
        return requests.get(f"{self.base}{path}", params=params, timeout=10)

    def proposal(self, pid: str) -> dict[str, Any] | None:
        r = self.get(f"/api/v1/proposals/{pid}")
        return r.json() if r.status_code == 200 else None

    def state_of(self, pid: str) -> str | None:
        found = self.proposal(pid)
        return found["state"] if found else None

    def wait_state(self, pid: str, state: str, timeout: float = 15) -> dict[str, Any]:
        wait_until(lambda: self.state_of(pid) == state, timeout, f"{pid} to be {state}")
        return self.proposal(pid)  # type: ignore[return-value]

    def dead_letters(self, count: int, timeout: float = 15) -> list[Any]:
        wait_until(lambda: self.broker.depth(DEAD) >= count, timeout, f"{count} dead letters")
        return self.broker.get_all(DEAD)

    def count(self, table: str) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(text(table))).scalar_one()

    def metric(self, name: str, **labels: str) -> float:
        body = requests.get(f"{self.base}/metrics", timeout=5).text
        want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        total = 0.0
        for line in body.splitlines():
            if line.startswith(name + "{") or line.startswith(name + " "):
                labels_part = line[len(name) :].split(" ")[0]
                if all(f'{k}="{v}"' in labels_part for k, v in labels.items()) or not want:
                    total += float(line.rsplit(" ", 1)[1])
        return total


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    from grantflow.db import make_engine

    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def clean(engine: Engine, amqp_uri: str) -> Iterator[Broker]:
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(_service_tables())}"))
    broker = Broker(amqp_uri)
    broker.purge(DEAD, *_service_queues())
    yield broker
    broker.close()


@pytest.fixture
def proposals(clean: Broker, engine: Engine, amqp_uri: str, database_url: str) -> Iterator[Harness]:
    from proposals.service import ProposalsService

    captured = clean.capture()
    with in_process(ProposalsService, amqp_uri, database_url) as base:
        yield Harness(base, clean, engine, captured)


@pytest.fixture
def disbursement(
    clean: Broker, engine: Engine, amqp_uri: str, database_url: str
) -> Iterator[Harness]:
    from disbursement.service import DisbursementService

    captured = clean.capture()
    with in_process(DisbursementService, amqp_uri, database_url) as base:
        yield Harness(base, clean, engine, captured)


class SmtpSink:
    """An aiosmtpd handler keeping what it accepts; `replies` answer the next DATA commands."""

    def __init__(self) -> None:
        self.messages: list[Any] = []  # aiosmtpd envelopes: .mail_from, .rcpt_tos, .content
        self.replies: list[str] = []  # e.g. ["451 4.3.0 Try again later"]

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.replies:
            return self.replies.pop(0)
        self.messages.append(envelope)
        return "250 2.0.0 OK"


NOTIFY_TEST_CONFIG = {
    "GROUP_WAIT_SECONDS": 0.5,
    "FLUSH_INTERVAL_SECONDS": 0.1,
    "SMTP_RETRY_INITIAL_SECONDS": 0.05,
    "SMTP_RETRY_MAX_SECONDS": 0.2,
    "SMTP_DEFER_SECONDS": 0.5,
    "RECIPIENTS_FILE": "",
}


@pytest.fixture
def notifications(
    clean: Broker, engine: Engine, amqp_uri: str, database_url: str
) -> Iterator[Harness]:
    """The notifications service sending to a real SMTP server on loopback (`.smtp`)."""
    import contextlib

    from aiosmtpd.controller import Controller

    from notifications.service import NotificationsService
    from tests.support.services import free_port

    sink = SmtpSink()
    server = Controller(sink, hostname="127.0.0.1", port=free_port())
    server.start()
    config = {**NOTIFY_TEST_CONFIG, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": server.port}
    harness = Harness("", clean, engine, clean.capture())
    harness.smtp, harness.smtp_server, harness.config = sink, server, config  # type: ignore[attr-defined]
    try:
        with in_process(NotificationsService, amqp_uri, database_url, **config) as base:
            harness.base = base
            yield harness
    finally:
        with contextlib.suppress(AssertionError):  # a test may have stopped it
            harness.smtp_server.stop()  # type: ignore[attr-defined]


__all__ = ["Harness", "create_engine"]


@dataclass
class Pipeline:
    """Proposals, disbursement and reporting running together, as in production."""

    proposals: str
    disbursement: str
    reporting: str
    broker: Broker
    engine: Engine
    headers: dict[str, str] = field(default_factory=dict)  # none: the test suite's default

    def quiet(self, timeout: float = 30) -> None:
        """Wait until everything published was applied where it goes (grantflow_tools.quiet)."""
        from grantflow_tools.quiet import wait_until_quiet

        wait_until_quiet(self.engine, self.broker.uri, timeout)

    def get(self, service: str, path: str, **params: Any) -> requests.Response:
        return requests.get(
            getattr(self, service) + path, params=params, headers=self.headers, timeout=30
        )

    def post(self, service: str, path: str, body: Any = None, **kw: Any) -> requests.Response:
        kw["headers"] = {**self.headers, **kw.get("headers", {})}
        return requests.post(getattr(self, service) + path, json=body, timeout=30, **kw)


@pytest.fixture
def pipeline(clean: Broker, engine: Engine, amqp_uri: str, database_url: str) -> Iterator[Pipeline]:
    from disbursement.service import DisbursementService
    from proposals.service import ProposalsService
    from reporting.service import ReportingService

    with (
        in_process(ProposalsService, amqp_uri, database_url) as p,
        in_process(DisbursementService, amqp_uri, database_url) as d,
        in_process(ReportingService, amqp_uri, database_url) as r,
    ):
        yield Pipeline(p, d, r, clean, engine)
