"""`grantflow publish`: CloudEvents from a file to the lifecycle exchange, with confirms.

Each event goes out persistent and `mandatory`, routing key = its `type`, with `user_id` the
user it connected as (RabbitMQ checks it; the services trust the sender it names); a message
the broker cannot route (no queue bound for its type) is reported, not silently lost. The
exchange is only checked (a passive declare), never created: the services declare it when
they start, and a publishing user (Kubernetes' are so) may have no configure permission.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pika
from pika.exceptions import ChannelClosedByBroker, UnroutableError
from tqdm import tqdm

from grantflow.config import settings
from grantflow.contract import CONTENT_TYPE


def read_events(text: str) -> list[dict[str, Any]]:
    """A JSON array, a single JSON object, or JSON lines; ValueError names the bad line."""
    stripped = text.lstrip()
    if stripped.startswith("["):
        events = json.loads(stripped)
    elif stripped.startswith("{") and "\n{" not in stripped.strip():
        events = [json.loads(stripped)]
    else:
        events = list(_json_lines(text))
    for n, event in enumerate(events, 1):
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            raise ValueError(f"event {n} has no string 'type', so it has no routing key")
    return events


def _json_lines(text: str) -> Iterator[dict[str, Any]]:
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"line {n} is not JSON: {exc}") from None


def publish_events(
    events: list[dict[str, Any]], uri: str, exchange: str, progress: bool = False
) -> int:
    """Publish with a confirm per message; returns how many the broker could not route."""
    parameters = pika.URLParameters(uri)
    user = parameters.credentials.username
    connection = pika.BlockingConnection(parameters)
    try:
        channel = connection.channel()
        _check_exchange(channel, exchange, user, parameters.virtual_host)
        channel.confirm_delivery()
        unroutable = 0
        for event in tqdm(events, disable=not progress, unit="ev", desc="publishing"):
            properties = pika.BasicProperties(
                content_type=CONTENT_TYPE,
                delivery_mode=2,
                message_id=str(event.get("id")),
                user_id=user,
            )
            body = json.dumps(event, ensure_ascii=False).encode("utf-8")
            try:
                channel.basic_publish(exchange, event["type"], body, properties, mandatory=True)
            except UnroutableError:
                unroutable += 1
                print(f"unroutable: no queue is bound for {event['type']}", file=sys.stderr)
        return unroutable
    finally:
        if connection.is_open:
            connection.close()


def _check_exchange(channel: Any, exchange: str, user: str, vhost: str) -> None:
    """A passive declare: ValueError, saying why, when the exchange is not there to use."""
    try:
        channel.exchange_declare(exchange, passive=True)
    except ChannelClosedByBroker as exc:
        if exc.reply_code == 404:
            raise ValueError(
                f"the exchange {exchange!r} does not exist in vhost {vhost!r}: the services"
                " declare it when they start (start them first), and publish does not create"
                " it; check --exchange or LIFECYCLE_EXCHANGE"
            ) from None
        raise ValueError(
            f"user {user!r} may not use the exchange {exchange!r} in vhost {vhost!r}:"
            f" {exc.reply_text}"
        ) from None


def publish_file(path: str, exchange: str | None = None, progress: bool = True) -> int:
    cfg = settings()
    text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    events = read_events(text)
    unroutable = publish_events(events, cfg.amqp_uri, exchange or cfg.lifecycle_exchange, progress)
    print(f"published {len(events) - unroutable} of {len(events)} events", file=sys.stderr)
    return 1 if unroutable else 0
