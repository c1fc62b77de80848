"""Beneath the contract, isolation: an event the database refuses is found and refused alone.

A service of this test's own (the shared ingest and `apply_batch`, real broker and database)
stores each proposal's title in a column of 12 characters, a stand-in for any limit the
schema and the database disagree on. Before, one such event failed its whole batch of up to
200: its batch-mates were retried as `handler_error` with it, again and again, then
dead-lettered; over HTTP it answered 500.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
import requests
from sqlalchemy import Column, Engine, MetaData, String, Table, select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Request

from grantflow.auth import EVENT_WRITERS
from grantflow.contract import Envelope, contract
from grantflow.db import Database
from grantflow.http import Observable, api, cloudevent_body
from grantflow.ingest import lifecycle_ingest
from grantflow.journal import Inbox, inbox_table
from grantflow.outcomes import Applied, Outcome, apply_batch, apply_one
from tests.support import events
from tests.support.broker import DEAD, Broker
from tests.support.services import in_process
from tests.support.waiting import wait_until

metadata = MetaData()
titles = Table(
    "isolation_title",
    metadata,
    Column("proposal_id", String(64), primary_key=True),
    Column("title", String(12), nullable=False),
)
inbox = Inbox(inbox_table(metadata, "isolation"))


def keep_titles(session: Session, batch: Sequence[Envelope]) -> list[Outcome]:
    rows = [{"proposal_id": e.data["proposal_id"], "title": e.data["title"]} for e in batch]
    session.execute(titles.insert(), rows)
    return [Applied() for _ in batch]


class TitlesService(Observable):
    name = "isolation"
    db = Database()

    @lifecycle_ingest(("proposal.submitted",))
    def ingest(self, batch: list[Envelope]) -> list[Outcome]:
        return apply_batch(self.db, inbox, batch, keep_titles)

    @api("POST", "/api/v1/events", allow=EVENT_WRITERS)
    def post_event(self, request: Request) -> tuple[int, dict[str, Any]]:
        event = contract().parse(cloudevent_body(request), ("proposal.submitted",))
        return 202, apply_one(self.db, inbox, event, keep_titles)


@pytest.fixture
def titles_service(engine: Engine, amqp_uri: str, database_url: str) -> Iterator[str]:
    metadata.drop_all(engine)
    metadata.create_all(engine)
    broker = Broker(amqp_uri)
    broker.purge(DEAD, "grantflow.lifecycle.isolation")
    try:
        with in_process(TitlesService, amqp_uri, database_url) as base:
            yield base
    finally:
        broker.close()
        metadata.drop_all(engine)


def _stored(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(titles.c.proposal_id)).scalars())


def test_the_event_the_database_refuses_is_dead_lettered_alone(
    titles_service: str, engine: Engine, amqp_uri: str
):
    good = [f"ISO-{n}" for n in range(60)]
    culprits = {"ISO-LONG-1": 7, "ISO-LONG-2": 41}  # where they sit among the good ones
    batch = [events.submitted(pid, title="short") for pid in good]
    for pid, at in culprits.items():
        batch.insert(at, events.submitted(pid, title="a title longer than twelve"))
    broker = Broker(amqp_uri)
    try:
        broker.publish_all(batch)  # within one linger: one or two batches
        wait_until(lambda: broker.depth(DEAD) >= len(culprits), 20, "the culprits")
        dead = broker.get_all(DEAD)
    finally:
        broker.close()

    assert sorted(json.loads(m.body)["data"]["proposal_id"] for m in dead) == sorted(culprits)
    assert {m.headers["x-error-code"] for m in dead} == {"unstorable"}
    assert all("INSERT" not in m.headers["x-error-detail"] for m in dead)  # no SQL, no values
    wait_until(lambda: _stored(engine) == set(good), 20, "every good event applied")


def test_over_http_the_event_the_database_refuses_answers_422(titles_service: str):
    response = requests.post(
        f"{titles_service}/api/v1/events",
        json=events.submitted("ISO-HTTP", title="a title longer than twelve"),
        headers={"Content-Type": "application/cloudevents+json"},
        timeout=10,
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "unstorable"
    ok = requests.post(
        f"{titles_service}/api/v1/events",
        json=events.submitted("ISO-HTTP-OK", title="short"),
        headers={"Content-Type": "application/cloudevents+json"},
        timeout=10,
    )
    assert ok.status_code == 202, ok.text
