"""Broker topology and confirmed publishing, shared by the ingest consumer and the relay."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

import amqp
from kombu import Connection

from grantflow.config import Settings

log = logging.getLogger(__name__)
# One consumer at a time takes a queue's messages, in the queue's order; the other replicas'
# consumers wait and the broker hands over to one of them when the active one goes.
SINGLE_ACTIVE = {"x-single-active-consumer": True}


def connect(uri: str, heartbeat: int = 20) -> Connection:
    conn = Connection(uri, heartbeat=heartbeat, connect_timeout=5)
    conn.connect()
    return conn


def declare_lifecycle(channel: Any, cfg: Settings) -> None:
    """The contract's exchange and dead-letter queue; idempotent, every service declares them."""
    channel.exchange_declare(cfg.lifecycle_exchange, "topic", durable=True, auto_delete=False)
    channel.queue_declare(cfg.dead_letter_queue, durable=True, auto_delete=False)


def declare_events_exchange(channel: Any, exchange: str, alternate: str = "") -> None:
    """The domain-event exchange, with an alternate exchange so no event is silently dropped.

    What no queue is bound for lands in the alternate exchange's queue of the same name, where
    it can be seen and counted. With no alternate, the broker returns it (mandatory) instead.
    """
    arguments = {}
    if alternate:
        channel.exchange_declare(alternate, "fanout", durable=True, auto_delete=False)
        channel.queue_declare(alternate, durable=True, auto_delete=False)
        channel.queue_bind(alternate, alternate, "")
        arguments["alternate-exchange"] = alternate
    channel.exchange_declare(
        exchange, "topic", durable=True, auto_delete=False, arguments=arguments
    )


def declare_consumer_queue(
    channel: Any,
    queue: str,
    exchange: str,
    routing_keys: Iterable[str],
    delays: Iterable[float],
    ordered: bool = False,
    scratch: Callable[[], Any] | None = None,
) -> dict[float, str]:
    """A durable queue bound to `exchange`, and one delay queue per retry delay.

    `ordered`: the queue has a single active consumer (`x-single-active-consumer`), so with
    several replicas one of them applies its messages in the order they were published and
    the others stand by (docs/capacity.md, "Per-proposal order with replicas"). A queue of
    the same name declared earlier without it cannot be changed in place: it is then used as
    it is, and an error is logged saying how to recreate it. `scratch()` opens the channel the
    attempt is made on (a refused declaration closes its channel).

    A delay queue holds a message for its TTL, then dead-letters it back to `queue` through the
    default exchange, so only the service that asked for the retry sees it again.
    """
    if not ordered or not _declared_single_active(queue, scratch or channel.connection.channel):
        channel.queue_declare(queue, durable=True, auto_delete=False)
    for key in routing_keys:
        channel.queue_bind(queue, exchange, key)
    delay_queues = {}
    for delay in delays:
        name = f"{queue}.retry.{int(delay * 1000)}ms"
        channel.queue_declare(
            name,
            durable=True,
            auto_delete=False,
            arguments={
                "x-message-ttl": int(delay * 1000),
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": queue,
            },
        )
        delay_queues[delay] = name
    return delay_queues


def _declared_single_active(queue: str, open_channel: Callable[[], Any]) -> bool:
    channel = open_channel()
    try:
        channel.queue_declare(queue, durable=True, auto_delete=False, arguments=SINGLE_ACTIVE)
    except amqp.exceptions.PreconditionFailed:
        log.error(
            "queue %s exists without a single active consumer: replicas of this service"
            " compete for it and the senders' order is not kept; drain it (stop the senders,"
            " wait until it is empty), delete it and restart the service to recreate it",
            queue,
        )
        return False
    finally:
        try:
            channel.close()
        except Exception:  # closed by the broker's refusal already
            log.debug("closing a refused channel", exc_info=True)
    return True


def persistent_message(body: bytes | str, properties: dict[str, Any] | None = None) -> amqp.Message:
    props = dict(properties or {})
    props["delivery_mode"] = 2
    return amqp.Message(body, **props)
