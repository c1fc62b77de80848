"""Reporting at the trust boundary (issue 12, section 3): an evaluation that announces is
never dated in the future (its "once ever" notices would suppress the real ones when that day
comes), and no text reaches a CSV as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
import requests
from sqlalchemy import text

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


def test_no_text_reaches_a_csv_as_a_formula(reporting, engine):
    cells = ["=2+5*cmd", "+1+1", "-2+3", "@SUM(A1)", "\tx=1"]
    with engine.begin() as conn:
        for n, level in enumerate(cells):
            conn.execute(
                text(
                    "INSERT INTO reporting_level (province, year, source_fund, level, version,"
                    " as_of_day, evidence) VALUES (:p, 2016, 'national', :l, 1, :d, :e)"
                ),
                {"p": f"{70 + n}", "l": level, "d": date(2016, 6, 30).toordinal(), "e": "{}"},
            )
    r = requests.get(f"{reporting}/api/v1/warnings", params={"format": "csv"}, timeout=10)
    assert r.status_code == 200, r.text
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert sorted(row["level"] for row in rows) == sorted("'" + c for c in cells)
    assert all(row["version"] == "1" for row in rows)  # numbers stay numbers
