"""Each province's and fund's outstanding money on a day, read with `forecast_sql`: several
years and both horizons in one statement."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from grantflow.db import is_postgres
from reporting.adapters.figures import no_jit
from reporting.adapters.forecast_sql import PLAN_SQL, outstanding_sql
from reporting.domain.forecast import Outstanding

Key = tuple[str, str]  # province, source_fund
_AMOUNTS = ("disbursed", "overdue", "scheduled", "later", "pending")
_PAID = ("g_overdue", "g_scheduled", "g_later", "g_pending", "g_new")
_PER_HORIZON = {"scheduled", "later", *_PAID}


@dataclass(frozen=True)
class Asked:
    """A year's outstanding money on `on`, with what of it was paid by each horizon."""

    year: int
    on: date
    horizons: tuple[date, date]


def outstanding(
    session: Session, asked: list[Asked]
) -> dict[int, tuple[dict[Key, Outstanding], dict[Key, Outstanding]]]:
    """{year: ({(province, fund): outstanding by the first horizon}, {... by the second})}:
    what each year had outstanding on its day and (for a past horizon) what of it was paid by
    then. A plan with no proposal yet is all headroom."""
    params: dict[str, int] = {}
    for i, a in enumerate(asked):
        first, second = a.horizons
        params |= {f"y{i}": a.year, f"d{i}": a.on.toordinal()}
        params |= {f"t0_{i}": first.toordinal(), f"t1_{i}": second.toordinal()}
    found: dict[int, tuple[dict[Key, Outstanding], dict[Key, Outstanding]]] = {
        a.year: ({}, {}) for a in asked
    }
    plans = {a.year: _plans(session, a.year, a.on) for a in asked}
    sql = text(outstanding_sql(len(asked), is_postgres(session)))
    with _streamed(session):
        rows = session.execute(sql, params).mappings().all()
    for row in rows:
        year, key = int(row["year"]), (row["province"], row["source_fund"])
        for h, by in enumerate(found[year]):
            by[key] = Outstanding(
                plans[year].get(key, 0),
                *(
                    int(row[f"{name}_{h}" if name in _PER_HORIZON else name] or 0)
                    for name in (*_AMOUNTS, *_PAID)
                ),
            )
    for year, by_horizon in found.items():
        for key, plan in plans[year].items():
            for by in by_horizon:
                by.setdefault(key, Outstanding(plan, 0))
    return found


def _plans(session: Session, year: int, on: date) -> dict[Key, int]:
    params = {"y": year, "d": on.toordinal()}
    return {(p, f): int(a) for p, f, a in session.execute(text(PLAN_SQL), params)}


@contextmanager
def _streamed(session: Session) -> Iterator[None]:
    """PostgreSQL plans the statement for one process, JIT off: a parallel plan runs each
    year's per-proposal aggregates again in every worker, and JIT compiles for longer than the
    statement then runs."""
    no_jit(session)
    if not is_postgres(session):
        yield
        return
    before = session.execute(text("SHOW max_parallel_workers_per_gather")).scalar_one()
    session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    try:
        yield
    finally:
        session.execute(
            text("SELECT set_config('max_parallel_workers_per_gather', :v, true)"), {"v": before}
        )
