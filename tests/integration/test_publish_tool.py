"""`grantflow publish` against the real broker as a Kubernetes user is set up: allowed to write
to the lifecycle exchange and nothing else (k8s/base/rabbitmq/topology.yaml), so it cannot
declare the exchange, and the broker checks the `user_id` it stamps on every message."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pika
import pytest

from grantflow_tools.publish import publish_events
from tests.support import events
from tests.support.broker import LIFECYCLE
from tests.support.services import ROOT

USER = f"publisher-{uuid.uuid4().hex[:8]}"
PASSWORD = "test-password-only-for-this-vhost"


def rabbitmqctl(*args: str) -> None:
    result = subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True)
    assert result.returncode == 0, f"rabbitmqctl {' '.join(args)}: {result.stderr}"


@pytest.fixture(scope="module")
def vhost(amqp_uri: str) -> Iterator[str]:
    """A vhost of its own: the lifecycle exchange declared by guest (as the services do at
    start), and a user with write permission on it only (no configure, no read)."""
    name = f"grantflow-publish-{uuid.uuid4().hex[:8]}"
    rabbitmqctl("add_vhost", name)
    rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    rabbitmqctl("add_user", USER, PASSWORD)
    rabbitmqctl("set_permissions", "-p", name, USER, "^$", r"^grantflow\.lifecycle$", "^$")
    yield name
    rabbitmqctl("delete_user", USER)
    rabbitmqctl("delete_vhost", name)


def uri(user: str, password: str, vhost: str) -> str:
    return f"amqp://{user}:{password}@127.0.0.1:5672/{quote(vhost, safe='')}"


@pytest.fixture
def bound(vhost: str) -> Iterator[tuple[pika.adapters.blocking_connection.BlockingChannel, str]]:
    """guest's channel and a queue bound to every lifecycle type."""
    connection = pika.BlockingConnection(pika.URLParameters(uri("guest", "guest", vhost)))
    channel = connection.channel()
    channel.exchange_declare(LIFECYCLE, "topic", durable=True)
    queue = channel.queue_declare("", exclusive=True).method.queue
    channel.queue_bind(queue, LIFECYCLE, "#")
    yield channel, queue
    connection.close()


def test_a_user_without_configure_permission_publishes_with_its_user_id(vhost, bound):
    channel, queue = bound
    lifecycle = events.full_lifecycle("PUB-1")[:3]
    assert publish_events(lifecycle, uri(USER, PASSWORD, vhost), LIFECYCLE) == 0
    received = []
    while (got := channel.basic_get(queue, auto_ack=True))[0] is not None:
        received.append(got)
    assert [props.user_id for _, props, _ in received] == [USER] * 3
    assert [method.routing_key for method, _, _ in received] == [e["type"] for e in lifecycle]
    assert [props.delivery_mode for _, props, _ in received] == [2] * 3


def test_a_missing_exchange_is_a_clear_error_and_is_not_created(vhost, bound):
    channel, _ = bound
    missing = "grantflow.lifecycle-typo"
    for who in (uri(USER, PASSWORD, vhost), uri("guest", "guest", vhost)):
        with pytest.raises(ValueError, match=r"exchange 'grantflow\.lifecycle-typo' does not"):
            publish_events([events.submitted("PUB-2")], who, missing)
    with pytest.raises(pika.exceptions.ChannelClosedByBroker) as absent:
        channel.exchange_declare(missing, passive=True)
    assert absent.value.reply_code == 404


def test_the_command_exits_2_naming_the_missing_exchange(vhost, tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps(events.submitted("PUB-3")) + "\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "grantflow_tools.cli", "publish", str(path), "--quiet"],
        env={**os.environ, "AMQP_URI": uri(USER, PASSWORD, vhost), "LIFECYCLE_EXCHANGE": "nope"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "grantflow: the exchange 'nope' does not exist in vhost" in done.stderr
    assert "Traceback" not in done.stderr
