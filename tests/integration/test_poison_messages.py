"""One bad message never stops or poisons the others (issue 12, section 2).

Each message below was, before, either read as a lost connection (the consumer reconnected
for ever, the queue stood still) or broke its batch's transaction (its batch-mates were
dead-lettered as `handler_error`, over HTTP a 500). Now each is dead-lettered alone, with a
code, and the good events around it are applied.
"""

from __future__ import annotations

import json
import socket
import time
from typing import Any

import pika

from tests.integration.conftest import INGEST_QUEUE, Harness
from tests.support import events
from tests.support.auth import header
from tests.support.broker import LIFECYCLE

FIRST_SEEN = "x-grantflow-first-seen"
ATTEMPTS = "x-grantflow-attempts"


def _publish(broker: Any, body: bytes, key: str, headers: dict[str, Any], exchange: str) -> None:
    props = pika.BasicProperties(
        content_type="application/cloudevents+json", delivery_mode=2, headers=headers
    )
    broker.channel.basic_publish(exchange, key, body, props, mandatory=True)


def _codes(dead: list[Any]) -> dict[bytes, str]:
    return {m.body: m.headers["x-error-code"] for m in dead}


def _good(pid: str) -> dict[str, Any]:
    return events.submitted(pid)


def test_messages_the_parser_chokes_on_are_dead_lettered_and_the_queue_moves_on(
    proposals: Harness,
):
    deep = b"[" * 100_000 + b"]" * 100_000  # json raises RecursionError
    nested = events.submitted("PX-NEST")
    nested["data"]["targets"] = {"x": 1}
    body = json.dumps(nested).replace('{"x": 1}', '{"x": ' + "[" * 40 + "1" + "]" * 40 + "}")
    leap = events.submitted("PX-LEAP")
    leap["time"] = "2016-12-31T23:59:60+00:00"
    year0 = events.submitted("PX-YEAR0")
    year0["time"] = "0000-01-01T00:00:00Z"
    bad = {
        deep: "too_deep",
        body.encode(): "too_deep",
        json.dumps(leap).encode(): "not_cloudevent",
        json.dumps(year0).encode(): "not_cloudevent",
    }
    for n, raw in enumerate(bad):
        proposals.broker.publish(raw, routing_key="proposal.submitted")
        proposals.broker.publish(_good(f"PX-OK-{n}"))

    codes = _codes(proposals.dead_letters(len(bad)))
    assert codes == bad
    for n in range(len(bad)):
        assert proposals.wait_state(f"PX-OK-{n}", "submitted")
    assert proposals.metric("grantflow_dead_letters_total", code="too_deep") == 2


def test_a_publishers_retry_headers_are_not_trusted(proposals: Harness):
    """From the exchange, the retry headers are dropped: an early event with a forged
    first sight (long ago, not an integer, in the future) is retried from now, as any."""
    forged = {
        "PR-OLD": {FIRST_SEEN: 0, ATTEMPTS: 99},  # would have been dead-lettered at once
        "PR-TEXT": {FIRST_SEEN: "soon", ATTEMPTS: "x"},  # int() raised: reconnect loop
        "PR-FUTURE": {FIRST_SEEN: int(time.time() * 1000) + 10**9, ATTEMPTS: 0},
    }
    for pid, headers in forged.items():
        body = json.dumps(events.appraised(pid)).encode()
        _publish(proposals.broker, body, "proposal.appraised", headers, LIFECYCLE)
    for pid in forged:  # the prerequisite arrives after: each appraisal then applies
        proposals.broker.publish(events.submitted(pid))
    for pid in forged:
        assert proposals.wait_state(pid, "in_appraisal", timeout=20)
    assert proposals.broker.depth("grantflow.lifecycle.dead") == 0


def test_a_forged_retry_header_on_the_retry_path_is_dead_lettered(proposals: Harness):
    """A message in the service's own queue (as from a delay queue) must carry integer
    retry headers, not in the future: else `bad_retry_header`, and the queue moves on."""
    cases = {
        b"text": {FIRST_SEEN: "soon", ATTEMPTS: 1},
        b"future": {FIRST_SEEN: int(time.time() * 1000) + 10**9, ATTEMPTS: 1},
        b"bool": {FIRST_SEEN: True, ATTEMPTS: 1},
    }
    bodies = {}
    for name, headers in cases.items():
        body = json.dumps(events.appraised(f"PF-{name.decode()}")).encode()
        bodies[body] = "bad_retry_header"
        _publish(proposals.broker, body, INGEST_QUEUE, headers, "")
    proposals.broker.publish(_good("PF-OK"))

    assert _codes(proposals.dead_letters(len(cases))) == bodies
    assert proposals.wait_state("PF-OK", "submitted")


def _breakers() -> dict[str, tuple[dict[str, Any] | bytes, str]]:
    """Events today's schema let pass that the database cannot store, with their code now."""
    big = events.submitted("PB-BIG", requested_vnd=2**63)
    nul = events.submitted("PB-NUL", title="Đào tạo\x00nghề")
    surrogate = json.dumps(events.submitted("PB-SUR", title="TITLE")).replace(
        "TITLE", "\\ud800 lone"
    )
    long_source = events.submitted("PB-SRC")
    long_source["source"] = "urn:moit:" + "a" * 300
    inf = json.dumps(events.submitted("PB-INF", targets={"trainees": 1})).replace(
        '"trainees": 1', '"trainees": 1e400'
    )
    many = events.submitted("PB-MANY", targets={f"t{i}": i for i in range(500)})
    return {
        "PB-BIG": (big, "schema_violation"),
        "PB-NUL": (nul, "schema_violation"),
        "PB-SUR": (surrogate.encode(), "schema_violation"),
        "PB-SRC": (long_source, "not_cloudevent"),
        "PB-INF": (inf.encode(), "schema_violation"),
        "PB-MANY": (many, "schema_violation"),
    }


def test_events_that_would_break_the_transaction_are_refused_alone(proposals: Harness):
    breakers = _breakers()
    bodies = {}
    for n, (event, code) in enumerate(breakers.values()):  # one batch, goods in between
        body = event if isinstance(event, bytes) else json.dumps(event).encode()
        bodies[body] = code
        proposals.broker.publish(body, routing_key="proposal.submitted")
        proposals.broker.publish(_good(f"PB-OK-{n}"))

    assert _codes(proposals.dead_letters(len(breakers))) == bodies
    for n in range(len(breakers)):
        assert proposals.wait_state(f"PB-OK-{n}", "submitted")
    for pid in breakers:
        assert proposals.state_of(pid) is None


def test_over_http_such_events_answer_4xx_with_their_code(proposals: Harness):
    for pid, (event, code) in _breakers().items():
        body = event if isinstance(event, bytes) else json.dumps(event).encode()
        response = _post_raw(proposals, body)
        assert response.status_code == (400 if code == "not_cloudevent" else 422), pid
        assert response.json()["error"]["code"] == code, response.text
    assert proposals.get("/api/v1/proposals").json()["total"] == 0


def _post_raw(harness: Harness, body: bytes) -> Any:
    import requests

    return requests.post(
        f"{harness.base}/api/v1/events",
        data=body,
        headers={"Content-Type": "application/cloudevents+json"},
        timeout=30,
    )


def test_an_http_body_over_the_limit_is_413_and_never_read_whole(proposals: Harness):
    from grantflow.config import settings

    limit = settings().max_message_bytes
    event = events.submitted("PL-HUGE", title="x")
    body = json.dumps(event).replace('"x"', '"' + "x" * limit + '"').encode()
    response = _post_raw(proposals, body)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"

    # A body declared at 10 GB, of which nothing is sent: answered at once, not awaited.
    host, port = proposals.base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        request = (
            "POST /api/v1/events HTTP/1.1\r\n"
            f"Host: {host}\r\n"
            f"Authorization: {header()['Authorization']}\r\n"
            "Content-Type: application/cloudevents+json\r\n"
            f"Content-Length: {10 * 2**30}\r\n\r\n"
        )
        conn.sendall(request.encode())
        answer = conn.recv(4096).decode()
    assert answer.startswith("HTTP/1.1 413"), answer
    assert "too_large" in answer


def test_an_amqp_message_over_the_limit_is_dead_lettered_too_large(proposals: Harness):
    from grantflow.config import settings

    body = json.dumps(
        events.submitted("PL-AMQP", title="x" * (settings().max_message_bytes + 1))
    ).encode()
    proposals.broker.publish(body, routing_key="proposal.submitted")
    proposals.broker.publish(_good("PL-OK"))

    (dead,) = proposals.dead_letters(1)
    assert dead.headers["x-error-code"] == "too_large"
    assert dead.body == body
    assert proposals.wait_state("PL-OK", "submitted")
