"""Fuzzing the real queue: arbitrary bytes and broken events among good ones.

Hypothesis draws a few hundred messages in all: arbitrary bytes, arbitrary JSON, and valid
lifecycle events each broken in one way the contract refuses (a required field removed, a
value of the wrong type or out of range, text with NUL or a lone surrogate or too long, an
unknown field, a truncated body, deep nesting, an unusable time, forged retry headers),
published into `grantflow.lifecycle` between good events. Every good event is applied,
every bad one is dead-lettered with a code, the queue never stands still (all of it goes quiet
within the wait), and the consumer never reconnects.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections import Counter
from typing import Any

import pika
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from tests.integration.conftest import Harness
from tests.support import events
from tests.support.broker import DEAD, LIFECYCLE
from tests.support.waiting import wait_until

ids = itertools.count()

REQUIRED_ENVELOPE = ("specversion", "id", "source", "type", "time", "datacontenttype", "data")
TEXT_FIELDS = {"title": 500, "proposal_id": 64}
NUMBER_FIELDS = {"requested_vnd": (0, 10**15), "year": (2000, 2100)}
REQUIRED_DATA = (
    "proposal_id",
    "province",
    "year",
    "source_fund",
    "activity",
    "title",
    "requested_vnd",
    "planned_start",
    "planned_end",
)
BASES = {
    "proposal.appraised": events.appraised,
    "proposal.approved": events.approved,
    "contract.signed": events.contract_signed,
    "progress.reported": events.progress,
    "proposal.settled": events.settled,
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=10,
)
not_a_string = st.none() | st.booleans() | st.integers() | st.lists(st.integers(), max_size=2)
not_an_integer = st.text(max_size=20) | st.booleans() | st.none() | st.just(1.5)
evil_text = st.builds(
    lambda a, bad, b: a + bad + b,
    st.text(max_size=10),
    st.sampled_from(["\x00", "\ud800", "\udfff"]),
    st.text(max_size=10),
)


@st.composite
def broken_event(draw: Any) -> tuple[bytes, str]:
    """A valid lifecycle event broken in one way the contract refuses; (body, routing key)."""
    pid = f"FZ-BAD-{next(ids)}"
    kind = draw(st.sampled_from(["submitted", *BASES]))
    event = events.submitted(pid) if kind == "submitted" else BASES[kind](pid)
    key, data = event["type"], event["data"]
    how = draw(
        st.sampled_from(
            ["drop", "drop_data", "retype", "renumber", "evil", "long", "extra", "cut", "deep"]
        )
    )
    if how == "drop":
        del event[draw(st.sampled_from(REQUIRED_ENVELOPE))]
    elif how == "drop_data" and kind == "submitted":
        del data[draw(st.sampled_from(REQUIRED_DATA))]
    elif how == "retype":
        event[draw(st.sampled_from(["id", "source", "type", "time"]))] = draw(not_a_string)
    elif how == "renumber" and kind == "submitted":
        field = draw(st.sampled_from(sorted(NUMBER_FIELDS)))
        low, high = NUMBER_FIELDS[field]
        data[field] = draw(
            not_an_integer | st.integers(max_value=low - 1) | st.integers(min_value=high + 1)
        )
    elif how == "evil":
        field = draw(st.sampled_from(["proposal_id", "title"] if kind == "submitted" else ["id"]))
        (data if field in data else event)[field] = draw(evil_text)
    elif how == "long" and kind == "submitted":
        field = draw(st.sampled_from(sorted(TEXT_FIELDS)))
        data[field] = "x" * (TEXT_FIELDS[field] + draw(st.integers(1, 3000)))
    elif how == "extra":
        data[draw(st.sampled_from(["extra", "note_x", "targets_"]))] = draw(json_values)
    elif how == "deep":
        data["proposal_id"] = json.loads("[" * 40 + "]" * 40)
    else:  # "cut", and the kinds a field does not apply to: a truncated body
        body = json.dumps(event).encode()
        return body[: draw(st.integers(0, len(body) - 1))], key
    return json.dumps(event).encode(), key


def bad_message() -> st.SearchStrategy[tuple[bytes, str]]:
    arbitrary = st.tuples(st.binary(max_size=200), st.just("proposal.submitted"))
    arbitrary_json = st.tuples(
        json_values.map(lambda v: json.dumps(v).encode()), st.just("proposal.submitted")
    )
    return arbitrary | arbitrary_json | broken_event() | broken_event()


forged_headers = st.none() | st.fixed_dictionaries(
    {
        "x-grantflow-first-seen": st.integers(-(2**62), 2**62) | st.text(max_size=5),
        "x-grantflow-attempts": st.integers(-(2**62), 2**62) | st.text(max_size=5),
    }
)


def _publish(harness: Harness, body: bytes, key: str, headers: Any) -> None:
    props = pika.BasicProperties(
        content_type="application/cloudevents+json", delivery_mode=2, headers=headers
    )
    harness.broker.channel.basic_publish(LIFECYCLE, key, body, props, mandatory=True)


def _proposals(harness: Harness, like: str) -> set[str]:
    with harness.engine.connect() as conn:
        query = text("SELECT proposal_id FROM proposals_proposal WHERE proposal_id LIKE :p")
        return {r[0] for r in conn.execute(query, {"p": like})}


@pytest.fixture
def reconnects(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.WARNING, logger="grantflow.ingest")
    return caplog


@settings(
    max_examples=4,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure stays under a minute
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    messages=st.lists(
        st.tuples(st.booleans(), bad_message(), forged_headers), min_size=50, max_size=80
    )
)
def test_bad_messages_among_good_ones(
    proposals: Harness, reconnects: pytest.LogCaptureFixture, messages: list[Any]
):
    good: set[str] = set()
    bad: Counter[bytes] = Counter()
    for is_good, (body, key), headers in messages:
        if is_good:
            pid = f"FZ-OK-{next(ids)}"
            good.add(pid)
            body = json.dumps(events.submitted(pid)).encode()
            _publish(proposals, body, "proposal.submitted", headers)
        else:
            bad[body] += 1
            _publish(proposals, body, key, headers)

    dead: list[Any] = []

    def quiet() -> bool:
        dead.extend(proposals.broker.get_all(DEAD))
        return len(dead) >= sum(bad.values()) and good <= _proposals(proposals, "FZ-OK-%")

    wait_until(quiet, 60, "every good event applied and every bad one dead-lettered")
    assert Counter(m.body for m in dead) == bad
    codes = Counter(m.headers.get("x-error-code") for m in dead)
    assert None not in codes and "handler_error" not in codes, codes
    assert not _proposals(proposals, "FZ-BAD-%")
    assert not [r for r in reconnects.records if "reconnecting" in r.getMessage()]
    assert proposals.get("/health/ready").status_code == 200
