"""The browser tests' stack: every service as a real process, the 2016 scenario applied and
evaluated as of 30/06/2016, emails to aiosmtpd on loopback. Started once for the module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from grantflow.auth import issue
from grantflow.db import make_engine
from grantflow_tools.quiet import wait_until_quiet
from tests.browser.stack import Stack, evaluate, publish_scenario, running_stack
from tests.integration.conftest import _service_queues, _service_tables
from tests.support.broker import DEAD, Broker


@pytest.fixture(scope="module")
def stack(amqp_uri: str, database_url: str, tmp_path_factory) -> Iterator[Stack]:
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(_service_tables())}"))
    broker = Broker(amqp_uri)
    broker.purge(DEAD, *_service_queues())
    broker.close()
    with running_stack(amqp_uri, database_url) as running:
        publish_scenario(running, tmp_path_factory.mktemp("scenario"))
        wait_until_quiet(engine, amqp_uri, 240)
        token = issue("central_officer", "test-setup")
        dead = running.api("reporting", "/api/v1/dead-letters", token)
        assert dead["total"] == 0, [(d["code"], d["detail"]) for d in dead["items"]]
        running.extra["evaluation"] = evaluate(running, token)
        running.extra["engine"] = engine
        yield running
    engine.dispose()


@pytest.fixture
def central_token() -> str:
    return issue("central_officer", "test-browser")
