"""Turning an evaluation into announcements: each change of level once, each overdue once.

The levels table holds each province's current level; an announcement is made only when the
evaluated level differs from it, in the transaction that changes it. On PostgreSQL an
advisory lock serialises evaluations, so two replicas evaluating at once announce nothing
twice; the overdue notices' primary key does the same for proposals (on SQLite, the second
of two simultaneous evaluations fails on it instead).

Memory stays flat however many proposals lag: the lagging proposals stay in the evaluation's
temporary table, a changed province's evidence carries its first `EVIDENCE` reasons, and the
newly overdue proposals are claimed in SQL and announced a page at a time (`overdue`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from grantflow.audit import Acting
from grantflow.contract import new_event
from reporting.adapters import levels, overdue
from reporting.adapters.evaluation import (
    Evaluation,
    ProvinceFigures,
    evaluate,
    first_reasons,
    reasons_of,
)
from reporting.adapters.forecasting import forecasts
from reporting.adapters.overdue import SOURCE, Announced
from reporting.adapters.tables import outbox
from reporting.domain.comparison import group_label
from reporting.domain.lag import LagRules
from reporting.handlers import forecast_announce

LOCK_KEY = 7_420_160_004
EVIDENCE = 500  # reasons in a province's evidence: the province_lagging schema's maxItems


def evidence(f: ProvinceFigures) -> dict[str, Any]:
    return f.place | {
        "rate": f.rate,
        "expected_rate": f.expected_rate,
        "regional_average": f.regional_average,
        "comparison_group": f.comparison_group,
        "comparison_group_name": group_label(f.comparison_group),
        "peers": f.peers,
        "lagging_share": f.lagging_share,
        "drivers": list(f.drivers),
    }


def answer(f: ProvinceFigures) -> dict[str, Any]:
    """A province's figures in the answer of an evaluation: its evidence, level, counts and
    first reasons."""
    return evidence(f) | f.lag | {"reasons": f.reasons}


def run(
    session: Session,
    rules: LagRules,
    as_of: date,
    announce: bool = True,
    by: Acting | None = None,
    reasons_per_province: int = 20,
) -> tuple[Evaluation, list[Announced]]:
    """Evaluate as of `as_of`, each province with its first `reasons_per_province` reasons;
    with `announce`, record and announce what changed (and each change of level in the
    audit trail, under `by`). Answers the evaluation and what was announced."""
    if announce:
        levels.lock(session, LOCK_KEY)
    result = evaluate(session, rules, as_of, keep=True)
    first = first_reasons(session, rules, as_of, reasons_per_province)
    for f in result.figures:
        f.reasons = first.get(f.key, [])
    if not announce:
        session.rollback()
        return result, []
    result.forecasts = forecasts(session, rules, as_of)
    announced = _changes_of_level(session, rules, result.figures, as_of, by)
    announced += forecast_announce.announce(session, rules, result.figures, result.forecasts, as_of)
    announced += overdue.announce(session, rules, as_of)
    session.commit()
    return result, announced


def _changes_of_level(
    session: Session,
    rules: LagRules,
    figures: list[ProvinceFigures],
    as_of: date,
    by: Acting | None,
) -> list[Announced]:
    now = datetime.now(UTC)
    current = levels.current(session, as_of.year)
    announced: list[Announced] = []
    for f in figures:
        before = current.get(f.key)
        previous = before.level if before else "normal"
        if f.level == previous:
            continue
        version = (before.version if before else 0) + 1
        data = evidence(f) | {"as_of": as_of.isoformat()}
        reasons = reasons_of(session, rules, as_of, f.key, EVIDENCE) if f.level != "normal" else []
        event = _level_event(f, previous, version, data, reasons)
        outbox.add(session, [event])
        announced.append({"type": event["type"], "subject": event["subject"]})
        levels.record(session, f, previous, version, as_of, data | {"reasons": reasons}, now)
        if by is not None:
            by.changed(
                session,
                "level.changed",
                event["subject"],
                {"level": previous, "version": version - 1} if before else None,
                {"level": f.level, "version": version, "as_of": as_of.isoformat()},
            )
    return announced


def _level_event(
    f: ProvinceFigures,
    previous: str,
    version: int,
    data: dict[str, Any],
    reasons: list[dict[str, str]],
) -> dict[str, Any]:
    if f.level == "normal":
        return _event("province_recovered", f, version, data | {"previous_level": previous})
    lagging = data | f.lag | {"previous_level": previous, "reasons": reasons}
    return _event("province_lagging", f, version, lagging)


def _event(kind: str, f: ProvinceFigures, version: int, data: dict[str, Any]) -> dict[str, Any]:
    return new_event(kind, SOURCE, data, subject=f.key.key, version=version)
