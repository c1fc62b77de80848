"""The provinces' warning levels: the current one per (province, year, fund) and the history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from grantflow.db import insert, is_postgres
from reporting.adapters.evaluation import ProvinceFigures
from reporting.adapters.tables import level, level_history


def lock(session: Session, key: int) -> None:
    """One announcing evaluation at a time, across replicas (PostgreSQL only)."""
    if is_postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def current(session: Session, year: int) -> dict[tuple[str, int, str], Any]:
    """The current level row of each (province, year, fund) of `year`."""
    return {
        (r.province, r.year, r.source_fund): r
        for r in session.execute(select(level).where(level.c.year == year))
    }


def record(
    session: Session,
    f: ProvinceFigures,
    previous: str,
    version: int,
    as_of: date,
    proof: dict[str, Any],
    now: datetime,
) -> None:
    """The province's current level, and a line of its history."""
    scope = {"province": f.province, "year": f.year, "source_fund": f.source_fund}
    day = as_of.toordinal()
    stmt = insert(session, level).values(
        **scope, level=f.level, version=version, as_of_day=day, evidence=proof
    )
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=list(scope),
            set_={k: stmt.excluded[k] for k in ("level", "version", "as_of_day", "evidence")},
        )
    )
    session.execute(
        level_history.insert().values(
            **scope,
            level=f.level,
            previous_level=previous,
            as_of_day=day,
            evaluated_at=now,
            evidence=proof,
        )
    )
