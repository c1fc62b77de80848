"""The SQLAlchemy provider does not block eventlet's hub: two slow queries overlap."""

from __future__ import annotations

import time

import eventlet
import requests
from sqlalchemy import text

from grantflow.db import Database
from grantflow.http import api
from tests.support.services import in_process


class SlowService:
    name = "slow"
    db = Database()

    @api("GET", "/health/ready")
    def ready(self, request):
        return {"status": "ready"}

    @api("GET", "/sleep")
    def sleep(self, request):
        self.db.execute(text("SELECT pg_sleep(1)"))
        return {"slept": 1}


def test_two_one_second_queries_finish_together_in_about_one_second(amqp_uri, database_url):
    with in_process(SlowService, amqp_uri, database_url) as base:
        started = time.monotonic()
        calls = [eventlet.spawn(requests.get, f"{base}/sleep", timeout=10) for _ in range(2)]
        responses = [c.wait() for c in calls]
        elapsed = time.monotonic() - started
    assert [r.json() for r in responses] == [{"slept": 1}, {"slept": 1}]
    assert elapsed < 1.6, f"the two queries ran one after the other ({elapsed:.2f} s)"
