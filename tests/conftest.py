"""Fixtures shared by every test: the real PostgreSQL and RabbitMQ, fail loudly if absent.

The settings that must be short in tests (retry delays and window) are set here, before any
grantflow module reads the environment. Each session gets its own RabbitMQ virtual host.
"""

from __future__ import annotations

import os
import subprocess
import uuid
import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
import eventlet  # noqa: E402

# As `grantflow run` does: the services under test run in this process, on green sockets.
eventlet.monkey_patch()

os.environ.setdefault("INGEST_RETRY_DELAYS_SECONDS", "0.2,0.5,1")
os.environ.setdefault("INGEST_RETRY_WINDOW_SECONDS", "4")
os.environ.setdefault("INGEST_BATCH_LINGER_MS", "5")
os.environ.setdefault("OUTBOX_POLL_SECONDS", "0.1")
os.environ.setdefault("LOG_FORMAT", "text")
os.environ.setdefault("GRANTFLOW_ENV", "test")

from tests.support.auth import default_token, use_test_secret  # noqa: E402

use_test_secret()

import pytest  # noqa: E402

PG_ADMIN = os.environ.get("GRANTFLOW_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_BASE = os.environ.get("GRANTFLOW_TEST_AMQP", "amqp://guest:guest@127.0.0.1:5672")


@pytest.fixture(scope="session")
def database_url() -> str:
    """A database of its own for this session, migrated to head."""
    import psycopg2

    name = f"grantflow_t{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg2.connect(PG_ADMIN, connect_timeout=5)
    except psycopg2.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {PG_ADMIN} ({exc}). Start it with "
            "`scripts/ensure-servers` (or set GRANTFLOW_TEST_PG).",
            pytrace=False,
        )
    admin.autocommit = True
    admin.cursor().execute(f"CREATE DATABASE {name}")
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    from grantflow_tools.migrate import upgrade
    from grantflow_tools.registry import SERVICES

    for entry in SERVICES.values():
        upgrade(entry, url)
    yield url
    admin.cursor().execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.close()


@pytest.fixture(scope="session")
def amqp_uri() -> str:
    """A fresh RabbitMQ virtual host for this session, deleted at the end."""
    import pika

    try:
        pika.BlockingConnection(pika.URLParameters(AMQP_BASE + "/")).close()
    except Exception as exc:
        pytest.fail(
            f"RabbitMQ is not reachable at {AMQP_BASE} ({exc!r}). Start it with "
            "`scripts/ensure-servers` (or set GRANTFLOW_TEST_AMQP).",
            pytrace=False,
        )
    vhost = f"grantflow-test-{uuid.uuid4().hex[:8]}"
    _rabbitmqctl("add_vhost", vhost)
    _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    yield f"{AMQP_BASE}/{vhost}"
    _rabbitmqctl("delete_vhost", vhost)


def _rabbitmqctl(*args: str) -> None:
    result = subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(f"rabbitmqctl {' '.join(args)} failed: {result.stderr}", pytrace=False)


__all__ = ["default_token"]
