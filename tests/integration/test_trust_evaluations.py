"""An evaluation that announces is never dated in the future: its "once ever" notices would
suppress the real ones when that day comes (issue 12, section 3)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
import requests

from tests.support.services import in_process

AHEAD = (date.today() + timedelta(days=2)).isoformat()  # after today anywhere on Earth


@pytest.fixture
def reporting(clean, amqp_uri: str, database_url: str) -> Iterator[str]:
    from reporting.service import ReportingService

    with in_process(ReportingService, amqp_uri, database_url) as base:
        yield base


def test_a_lag_evaluation_that_announces_refuses_a_future_date(reporting, engine):
    r = requests.post(
        f"{reporting}/api/v1/lag-evaluations", json={"as_of": AHEAD, "announce": True}, timeout=30
    )
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "as_of_in_future"
    looking_ahead = requests.post(
        f"{reporting}/api/v1/lag-evaluations", json={"as_of": AHEAD, "announce": False}, timeout=30
    )
    assert looking_ahead.status_code == 200, looking_ahead.text


def test_an_overdue_evaluation_refuses_a_future_date(disbursement):
    r = requests.post(
        f"{disbursement.base}/api/v1/overdue-evaluations", json={"as_of": AHEAD}, timeout=30
    )
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "as_of_in_future"
    assert disbursement.count("disbursement_outbox") == 0
    today = requests.post(f"{disbursement.base}/api/v1/overdue-evaluations", timeout=30)
    assert today.status_code == 200, today.text
