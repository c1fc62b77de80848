"""Sources bound to RabbitMQ users (AUTH_SOURCE_USERS): `source` is not only what a sender says.

Real users in the session's vhost (rabbitmqctl), each allowed only to write to the lifecycle
exchange as in k8s/base/rabbitmq/topology.yaml; the proposals service runs as a process.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Iterator
from urllib.parse import quote, urlsplit

import pika
import pytest
from sqlalchemy import text

from tests.support import events
from tests.support.broker import DEAD, LIFECYCLE
from tests.support.services import ServiceProcess
from tests.support.waiting import wait_until

SUFFIX = uuid.uuid4().hex[:8]
CENTRES, MINISTRY = f"promotion-centres-{SUFFIX}", f"appraisal-office-{SUFFIX}"
PASSWORD = "test-password-only-for-this-vhost"


def rabbitmqctl(*args: str) -> None:
    result = subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True)
    assert result.returncode == 0, f"rabbitmqctl {' '.join(args)}: {result.stderr}"


@pytest.fixture(scope="module")
def users(amqp_uri: str) -> Iterator[dict[str, str]]:
    """Each user's AMQP URI in the session's vhost."""
    vhost = urlsplit(amqp_uri).path.lstrip("/")
    uris = {}
    for user in (CENTRES, MINISTRY):
        rabbitmqctl("add_user", user, PASSWORD)
        rabbitmqctl("set_permissions", "-p", vhost, user, "^$", r"^grantflow\.lifecycle$", "^$")
        uris[user] = f"amqp://{user}:{PASSWORD}@127.0.0.1:5672/{quote(vhost, safe='')}"
    yield uris
    for user in uris:
        rabbitmqctl("delete_user", user)


@pytest.fixture
def proposals(clean, amqp_uri: str, database_url: str, users) -> Iterator[ServiceProcess]:
    bound = {"urn:gso:*": [CENTRES], "urn:moit:*": [MINISTRY]}
    env = {"AMQP_URI": amqp_uri, "DATABASE_URL": database_url}
    process = ServiceProcess("proposals", {**env, "AUTH_SOURCE_USERS": json.dumps(bound)})
    yield process.start()
    process.stop()


def publish(uri: str, event: dict, user_id: str | None) -> None:
    """As an internal system publishes: its own connection, user_id set (or not)."""
    connection = pika.BlockingConnection(pika.URLParameters(uri))
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        props = pika.BasicProperties(
            content_type="application/cloudevents+json", delivery_mode=2, user_id=user_id
        )
        channel.basic_publish(LIFECYCLE, event["type"], json.dumps(event).encode(), props)
    finally:
        if connection.is_open:
            connection.close()


def state_of(engine, pid: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT state FROM proposals_proposal WHERE proposal_id = :p"), {"p": pid}
        ).scalar()


def test_a_source_claimed_by_another_user_is_dead_lettered(proposals, clean, engine, users):
    publish(users[CENTRES], events.submitted("SU-1"), CENTRES)
    wait_until(lambda: state_of(engine, "SU-1") == "submitted", 15, "the centre's submission")

    # A centre (allowed to submit) claims the ministry's source: the source check alone passes.
    ministry_claimed_by_a_centre = {**events.appraised("SU-1"), "source": events.MINISTRY}
    publish(users[CENTRES], ministry_claimed_by_a_centre, CENTRES)
    publish(users[CENTRES], events.submitted("SU-2"), None)  # no user_id: nobody vouches
    wait_until(lambda: clean.depth(DEAD) >= 2, 15, "two dead letters")
    dead = {d.json()["id"]: d.headers for d in clean.get_all(DEAD)}
    assert {h["x-error-code"] for h in dead.values()} == {"sender_not_allowed"}
    forged = dead[ministry_claimed_by_a_centre["id"]]
    assert MINISTRY in forged["x-error-detail"] and CENTRES in forged["x-error-detail"]
    assert forged["x-grantflow-sender"] == CENTRES, "the dead letter says who really sent it"
    assert state_of(engine, "SU-2") is None

    publish(users[MINISTRY], events.appraised("SU-1"), MINISTRY)  # the ministry itself
    wait_until(lambda: state_of(engine, "SU-1") == "in_appraisal", 15, "the real appraisal")
    assert clean.depth(DEAD) == 0


def test_an_early_event_keeps_its_sender_through_its_retries(proposals, clean, engine, users):
    """A retry is republished by the service: it must still count as the ministry's."""
    publish(users[MINISTRY], events.appraised("SU-3"), MINISTRY)  # before the submission
    wait_until(
        lambda: (
            clean.depth("grantflow.lifecycle.proposals.retry.200ms") > 0
            or "event retried" in proposals.output()
        ),
        15,
        "the appraisal to be retried",
    )
    publish(users[CENTRES], events.submitted("SU-3"), CENTRES)
    wait_until(lambda: state_of(engine, "SU-3") == "in_appraisal", 15, "the retried appraisal")
    assert clean.depth(DEAD) == 0, [d.headers for d in clean.get_all(DEAD)]


def test_the_broker_refuses_a_forged_user_id(users):
    with pytest.raises(pika.exceptions.ChannelClosedByBroker) as refused:
        publish(users[CENTRES], {**events.appraised("SU-4"), "source": events.MINISTRY}, MINISTRY)
    assert refused.value.reply_code == 406
    assert "user_id" in refused.value.reply_text


def test_without_the_setting_user_ids_are_not_required():
    from grantflow.trust import parse

    parse("{proposal.submitted: ['urn:gso:*']}").check("proposal.submitted", events.CENTRE)
    bound = parse("{proposal.submitted: ['urn:gso:*']}", "{'urn:gso:*': [centres]}")
    bound.check("proposal.submitted", events.CENTRE, "centres")
    with pytest.raises(Exception, match="sender_not_allowed"):
        bound.check("proposal.submitted", events.CENTRE, None)
