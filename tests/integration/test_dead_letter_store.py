"""The dead-letter store keeps anything that reaches `grantflow.lifecycle.dead`.

Anyone who may publish can put anything there: a body that is not text, text with NUL,
headers of any length and type. Before, such a batch failed its insert and was requeued for
ever: nothing was stored again, and the queue stood still.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pika
import pytest
import requests
from sqlalchemy import Engine

from tests.support import events
from tests.support.auth import header
from tests.support.broker import DEAD, Broker
from tests.support.services import in_process
from tests.support.waiting import wait_until


@pytest.fixture
def reporting(clean: Broker, amqp_uri: str, database_url: str) -> Iterator[str]:
    from reporting.service import ReportingService

    with in_process(ReportingService, amqp_uri, database_url) as base:
        yield base


def _put(broker: Broker, body: bytes, headers: dict[str, Any], **props: Any) -> None:
    properties = pika.BasicProperties(delivery_mode=2, headers=headers, **props)
    broker.channel.basic_publish("", DEAD, body, properties, mandatory=True)


def _listing(base: str) -> dict[str, Any]:
    response = requests.get(
        f"{base}/api/v1/dead-letters", params={"limit": 500}, headers=header(), timeout=10
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_the_store_keeps_any_dead_letter(reporting: str, clean: Broker, engine: Engine):
    nul_source = json.dumps(events.submitted("DL-NUL")).replace(
        '"source": "urn:gso:74:khuyencong-center"', '"source": "urn:gso:74\\u0000x"'
    )
    surrogate = json.dumps({"type": "\\ud800", "id": "x" * 5000}).replace("\\\\", "\\")
    cases = [
        (b"\xff\xfe\x00\x01 not text", {"x-error-code": "not_json"}, {}),
        (nul_source.encode(), {"x-error-code": "schema_violation"}, {}),
        (surrogate.encode(), {"x-error-code": "c" * 500, "x-error-detail": "a\x00b"}, {}),
        (b"{}", {"x-original-routing-key": "k" * 10_000, "x-error-code": 42}, {}),
        (b"\x00" * 100, {"x-grantflow-service": {"nested": ["x"]}}, {}),
        (b"caf\xe9", {}, {"content_encoding": "utf-8"}),  # py-amqp cannot decode it
        (b"plain", {}, {"content_encoding": "no-such-codec"}),
    ]
    for body, headers, props in cases:
        _put(clean, body, headers, **props)
    _put(clean, b'{"after": "all of them"}', {"x-error-code": "not_cloudevent"})

    listing = wait_until(
        lambda: (found := _listing(reporting))["total"] == len(cases) + 1 and found,
        20,
        "every dead letter stored",
    )
    stored = set()
    for item in listing["items"]:
        raw = item["body"]
        stored.add(base64.b64decode(raw) if item["body_encoding"] == "base64" else raw.encode())
    assert stored == {body for body, _, _ in cases} | {b'{"after": "all of them"}'}
    codes = {item["code"] for item in listing["items"]}
    assert {"not_json", "schema_violation", "c" * 100, "42", "unknown"} <= codes
    assert clean.depth(DEAD) == 0
