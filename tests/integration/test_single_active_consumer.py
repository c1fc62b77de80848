"""Each ingest queue has a single active consumer; a queue declared earlier without it (a
broker from before) is used as it is, with an error saying how to recreate it."""

from __future__ import annotations

import logging

import requests

from tests.support import events
from tests.support.services import in_process
from tests.support.waiting import wait_until

QUEUE = "grantflow.lifecycle.proposals"


def _declared_with(channel, arguments) -> bool:
    """Whether the queue exists with these arguments (a different set is refused)."""
    import pika

    probe = channel.connection.channel()
    try:
        probe.queue_declare(QUEUE, durable=True, arguments=arguments)
        return True
    except pika.exceptions.ChannelClosedByBroker:
        return False
    finally:
        if probe.is_open:
            probe.close()


def test_the_service_declares_its_queue_with_a_single_active_consumer(
    clean, amqp_uri, database_url
):
    from proposals.service import ProposalsService

    with in_process(ProposalsService, amqp_uri, database_url):
        assert _declared_with(clean.channel, {"x-single-active-consumer": True})
        assert not _declared_with(clean.channel, None)


def test_an_old_queue_without_it_is_used_as_it_is_and_the_log_says_what_to_do(
    clean, amqp_uri, database_url, caplog
):
    from proposals.service import ProposalsService

    clean.channel.queue_delete(QUEUE)
    clean.channel.queue_declare(QUEUE, durable=True)  # as a broker from before has it
    try:
        with (
            caplog.at_level(logging.ERROR, logger="grantflow.amqp"),
            in_process(ProposalsService, amqp_uri, database_url) as base,
        ):
            clean.publish(events.submitted("OLD-Q-1"))
            wait_until(
                lambda: requests.get(f"{base}/api/v1/proposals/OLD-Q-1", timeout=5).ok,
                15,
                "the submission to be applied from the old queue",
            )
        said = [r.getMessage() for r in caplog.records if r.name == "grantflow.amqp"]
        assert any("without a single active consumer" in m and "delete it" in m for m in said)
    finally:
        clean.channel.queue_delete(QUEUE)  # the next service to start declares it afresh
