"""Data quality per province (domain.quality) for a year as of a day, under the units in
force that day."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from reporting.adapters.quality_sql import ARRIVALS_SQL, DEAD_SQL, PROPOSAL_SCOPE_SQL, PROPOSALS_SQL
from reporting.domain.lag import LagRules, report_month
from reporting.domain.quality import Quality
from reporting.domain.units import unit_code


def data_quality(session: Session, rules: LagRules, as_of: date) -> dict[str, Quality]:
    """{province: its Quality} for the year of `as_of`."""
    month_start, month_due = report_month(rules, as_of)
    params = {
        "y": as_of.year,
        "d": as_of.toordinal(),
        "month_start": month_start.toordinal(),
        "month_due": month_due.toordinal(),
    }
    found: dict[str, Quality] = defaultdict(Quality)
    for code, proposals, without, due, missing in session.execute(text(PROPOSALS_SQL), params):
        found[unit_code(code, as_of)].add(
            Quality(int(proposals), 0, 0, int(due or 0), int(missing or 0), int(without or 0))
        )
    for code, n in session.execute(text(ARRIVALS_SQL), params):
        found[unit_code(code, as_of)].late_or_out_of_order += int(n)
    for code in _dead_letters(session, as_of.year):
        found[unit_code(code, as_of)].dead_letters += 1
    return dict(found)


def _dead_letters(session: Session, year: int) -> list[str]:
    """The province of each dead letter of `year` that names one (directly or by proposal)."""
    codes = []
    for body in session.execute(text(DEAD_SQL)).scalars():
        data = _data(body)
        code, of_year = data.get("province"), data.get("year")
        if not code and isinstance(data.get("proposal_id"), str):
            row = session.execute(text(PROPOSAL_SCOPE_SQL), {"pid": data["proposal_id"]}).first()
            code, of_year = (row[0], row[1]) if row else (None, None)
        if isinstance(code, str) and of_year == year:
            codes.append(code)
    return codes


def _data(body: Any) -> dict[str, Any]:
    try:
        event = json.loads(bytes(body).decode("utf-8"))
    except (ValueError, UnicodeDecodeError, TypeError):
        return {}
    data = event.get("data") if isinstance(event, dict) else None
    return data if isinstance(data, dict) else {}
