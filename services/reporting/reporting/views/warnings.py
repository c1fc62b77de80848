"""Current warning levels and their history."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from grantflow.reference import province as province_on


def as_dict(value: Any) -> dict[str, Any]:
    """A JSON column read through plain SQL: a dict on PostgreSQL, a string on SQLite."""
    if isinstance(value, str):
        return json.loads(value)
    return value or {}


def warnings(session: Session, year: int | None, province: str | None = None) -> dict[str, Any]:
    """Every level (of `year`, of `province`, when given) and every change of level."""
    conditions = [c for c, given in (("year = :y", year), ("province = :p", province)) if given]
    where = ("WHERE " + " AND ".join(conditions)) if conditions else ""
    current = [
        dict(r._mapping)
        for r in session.execute(
            text(
                f"SELECT province, year, source_fund, level, version, as_of_day, evidence "
                f"FROM reporting_level {where} ORDER BY province, source_fund"
            ),
            {"y": year, "p": province},
        )
    ]
    history = [
        dict(r._mapping)
        for r in session.execute(
            text(
                "SELECT province, year, source_fund, level, previous_level, as_of_day,"
                f" evaluated_at "
                f"FROM reporting_level_history {where} ORDER BY seq"
            ),
            {"y": year, "p": province},
        )
    ]
    for row in current + history:
        row["as_of"] = date.fromordinal(row.pop("as_of_day")).isoformat()
        if "evaluated_at" in row:
            at = row["evaluated_at"]
            row["evaluated_at"] = at.isoformat() if hasattr(at, "isoformat") else str(at)
        unit = province_on(row["province"], date(row["year"], 1, 1))
        row["province_name"] = unit.name if unit else None
    return {"current": current, "history": history}
