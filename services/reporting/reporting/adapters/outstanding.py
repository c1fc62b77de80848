"""Each province's and fund's outstanding money on a day, read with `forecast_sql`."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from reporting.adapters.forecast_sql import OUTSTANDING_SQL, PLAN_SQL
from reporting.domain.forecast import Outstanding

Key = tuple[str, str]  # province, source_fund


def outstanding(session: Session, year: int, on: date, horizon: date) -> dict[Key, Outstanding]:
    """{(province, fund): what year `year` had outstanding on `on`, and (for a past horizon)
    what of it was paid by `horizon`}. A plan with no proposal yet is all headroom."""
    params = {"y": year, "d": on.toordinal(), "t": horizon.toordinal()}
    plans = {(p, f): int(a) for p, f, a in session.execute(text(PLAN_SQL), params)}
    found: dict[Key, Outstanding] = {}
    for row in session.execute(text(OUTSTANDING_SQL), params):
        key = (row.province, row.source_fund)
        found[key] = Outstanding(
            plans.get(key, 0),
            *(
                int(getattr(row, name) or 0)
                for name in (
                    "disbursed",
                    "overdue",
                    "scheduled",
                    "later",
                    "pending",
                    "g_overdue",
                    "g_scheduled",
                    "g_later",
                    "g_pending",
                    "g_new",
                )
            ),
        )
    for key, plan in plans.items():
        found.setdefault(key, Outstanding(plan, 0))
    return found
