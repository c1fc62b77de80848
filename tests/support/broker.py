"""A pika client for tests: publish to the lifecycle exchange, read queues, capture events."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pika

LIFECYCLE = "grantflow.lifecycle"
DEAD = "grantflow.lifecycle.dead"
EVENTS = "grantflow.events"


@dataclass
class Received:
    body: bytes
    headers: dict[str, Any]

    def json(self) -> Any:
        return json.loads(self.body)


class Broker:
    def __init__(self, uri: str) -> None:
        self.uri = uri
        self.connection = pika.BlockingConnection(pika.URLParameters(uri))
        self.channel = self.connection.channel()
        self.channel.confirm_delivery()
        self.channel.exchange_declare(LIFECYCLE, "topic", durable=True)
        self.channel.queue_declare(DEAD, durable=True)

    def publish(self, event: dict[str, Any] | bytes, routing_key: str | None = None) -> None:
        body = event if isinstance(event, bytes) else json.dumps(event).encode()
        key = routing_key or (event["type"] if isinstance(event, dict) else "proposal.submitted")
        props = pika.BasicProperties(content_type="application/cloudevents+json", delivery_mode=2)
        self.channel.basic_publish(LIFECYCLE, key, body, props, mandatory=True)

    def announce(self, event: dict[str, Any]) -> None:
        """Publish a domain event as a service's outbox relay would."""
        self.channel.exchange_declare(
            EVENTS, "topic", durable=True, arguments={"alternate-exchange": EVENTS + ".unrouted"}
        )
        props = pika.BasicProperties(content_type="application/cloudevents+json", delivery_mode=2)
        self.channel.basic_publish(
            EVENTS, event["type"], json.dumps(event).encode(), props, mandatory=True
        )

    def publish_all(self, events: list[dict[str, Any]]) -> None:
        for e in events:
            self.publish(e)

    def capture(self, keys: tuple[str, ...] = ("#",), exchange: str = EVENTS) -> str:
        """A queue bound to the domain-event exchange, to see what a service announced."""
        self.channel.exchange_declare(
            exchange,
            "topic",
            durable=True,
            arguments={"alternate-exchange": exchange + ".unrouted"},
        )
        name = self.channel.queue_declare("", exclusive=True).method.queue
        for key in keys:
            self.channel.queue_bind(name, exchange, key)
        return name

    def get_all(self, queue: str) -> list[Received]:
        out = []
        while True:
            method, props, body = self.channel.basic_get(queue, auto_ack=True)
            if method is None:
                return out
            out.append(Received(body, dict(props.headers or {})))

    def depth(self, queue: str) -> int:
        return self.channel.queue_declare(queue, passive=True).method.message_count

    def purge(self, *queues: str) -> None:
        for q in queues:
            try:
                self.channel.queue_purge(q)
            except pika.exceptions.ChannelClosedByBroker:  # not declared yet
                self.channel = self.connection.channel()
                self.channel.confirm_delivery()

    def close(self) -> None:
        # A test that runs for minutes leaves this connection idle (a BlockingConnection only
        # answers heartbeats while it is used): the broker may have dropped it already.
        try:
            if self.connection.is_open:
                self.connection.close()
        except pika.exceptions.AMQPError:
            pass


def publish_in_bulk(uri: str, events: list[dict], batch: int = 500) -> None:
    """To the lifecycle exchange in AMQP transactions of `batch` messages: one round trip per
    batch (a confirm per message is what a sender does, and takes minutes on a busy machine)."""
    returned: list[bytes] = []
    connection = pika.BlockingConnection(pika.URLParameters(uri))
    try:
        channel = connection.channel()
        channel.add_on_return_callback(lambda _ch, _method, _props, body: returned.append(body))
        channel.tx_select()
        props = pika.BasicProperties(content_type="application/cloudevents+json", delivery_mode=2)
        for start in range(0, len(events), batch):
            for e in events[start : start + batch]:
                body = json.dumps(e, ensure_ascii=False).encode()
                channel.basic_publish(LIFECYCLE, e["type"], body, props, mandatory=True)
            channel.tx_commit()
        connection.process_data_events(0)
    finally:
        connection.close()
    assert returned == [], f"{len(returned)} events had no queue to go to"
