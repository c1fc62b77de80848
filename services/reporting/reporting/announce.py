"""Turning an evaluation into announcements: each change of level once, each overdue once.

The levels table holds each province's current level; an announcement is made only when the
evaluated level differs from it, in the transaction that changes it. On PostgreSQL an
advisory lock serialises evaluations, so two replicas evaluating at once announce nothing
twice; the overdue notices' primary key does the same for proposals.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from grantflow.audit import Acting
from grantflow.contract import new_event
from grantflow.db import insert
from reporting.adapters.tables import level, level_history, outbox, overdue_notice
from reporting.domain.lag import LagRules
from reporting.evaluation import ProvinceFigures, evaluate

SOURCE = "grantflow/reporting"
LOCK_KEY = 7_420_160_004


def evidence(f: ProvinceFigures) -> dict[str, Any]:
    return {
        "province": f.province,
        "province_name": f.name,
        "region": f.region,
        "year": f.year,
        "source_fund": f.source_fund,
        "rate": f.rate,
        "expected_rate": f.expected_rate,
        "regional_average": f.regional_average,
    }


def run(
    session: Session,
    rules: LagRules,
    as_of: date,
    announce: bool = True,
    by: Acting | None = None,
) -> tuple[list[ProvinceFigures], list[dict[str, Any]], list[dict[str, Any]]]:
    """Evaluate as of `as_of`; with `announce`, record and announce what changed (and each
    change of level in the audit trail, under `by`)."""
    if announce and session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
    figures, reasons = evaluate(session, rules, as_of)
    if not announce:
        session.rollback()
        return figures, reasons, []
    now = datetime.now(UTC)
    current = {
        (r.province, r.year, r.source_fund): r
        for r in session.execute(select(level).where(level.c.year == as_of.year))
    }
    events: list[dict[str, Any]] = []
    for f in figures:
        before = current.get(f.key)
        previous = before.level if before else "normal"
        if f.level == previous:
            continue
        version = (before.version if before else 0) + 1
        data = evidence(f) | {"as_of": as_of.isoformat()}
        if f.level == "normal":
            events.append(
                _event("province_recovered", f, version, data | {"previous_level": previous})
            )
        else:
            events.append(
                _event(
                    "province_lagging",
                    f,
                    version,
                    data
                    | {
                        "level": f.level,
                        "previous_level": previous,
                        "allocated_vnd": f.allocated_vnd,
                        "disbursed_vnd": f.disbursed_vnd,
                        "proposals": f.proposals,
                        "lagging_proposals": f.lagging_proposals,
                        "reasons": [r | {"detail": r["detail"][:500]} for r in f.reasons[:500]],
                    },
                )
            )
        row = {
            "province": f.province,
            "year": f.year,
            "source_fund": f.source_fund,
            "level": f.level,
            "version": version,
            "as_of_day": as_of.toordinal(),
            "evidence": data | {"reasons": f.reasons[:500]},
        }
        stmt = insert(session, level).values(row)
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=["province", "year", "source_fund"],
                set_={k: stmt.excluded[k] for k in ("level", "version", "as_of_day", "evidence")},
            )
        )
        if by is not None:
            by.changed(
                session,
                "level.changed",
                f"{f.province}:{f.year}:{f.source_fund}",
                {"level": previous, "version": version - 1} if before else None,
                {"level": f.level, "version": version, "as_of": as_of.isoformat()},
            )
        session.execute(
            level_history.insert().values(
                province=f.province,
                year=f.year,
                source_fund=f.source_fund,
                level=f.level,
                previous_level=previous,
                as_of_day=as_of.toordinal(),
                evaluated_at=now,
                evidence=row["evidence"],
            )
        )
    events += _new_overdue(session, reasons, as_of)
    outbox.add(session, events)
    session.commit()
    return figures, reasons, events


def _event(kind: str, f: ProvinceFigures, version: int, data: dict[str, Any]) -> dict[str, Any]:
    subject = f"{f.province}:{f.year}:{f.source_fund}"
    return new_event(kind, SOURCE, data, subject=subject, version=version)


NOTICES_SQL = """
INSERT INTO reporting_overdue_notice (proposal_id, reason, as_of_day)
SELECT n.proposal_id, n.reason, :day
FROM unnest(CAST(:ids AS text[]), CAST(:reasons AS text[])) AS n(proposal_id, reason)
ON CONFLICT DO NOTHING
RETURNING proposal_id, reason
"""
CHUNK = 1000  # notices per statement where there are no arrays (SQLite)


def _claim_notices(
    session: Session, keys: list[tuple[str, str]], day: int
) -> list[tuple[str, str]]:
    """Record each (proposal, reason) not noticed before; answers those that were new.

    On PostgreSQL two array parameters carry every notice (a statement with a VALUES row per
    notice costs seconds and hundreds of MB to build for 50,000); elsewhere, in chunks.
    """
    if session.get_bind().dialect.name == "postgresql":
        params = {"ids": [p for p, _ in keys], "reasons": [r for _, r in keys], "day": day}
        return [(p, r) for p, r in session.execute(text(NOTICES_SQL), params)]
    fresh: list[tuple[str, str]] = []
    for i in range(0, len(keys), CHUNK):
        rows = [{"proposal_id": p, "reason": r, "as_of_day": day} for p, r in keys[i : i + CHUNK]]
        stmt = (
            insert(session, overdue_notice)
            .values(rows)
            .on_conflict_do_nothing()
            .returning(overdue_notice.c.proposal_id, overdue_notice.c.reason)
        )
        fresh += [(p, r) for p, r in session.execute(stmt)]
    return fresh


def _notices_per_proposal(session: Session, ids: list[str]) -> dict[str, int]:
    if session.get_bind().dialect.name == "postgresql":
        sql = (
            "SELECT proposal_id, COUNT(*) FROM reporting_overdue_notice"
            " WHERE proposal_id = ANY(CAST(:ids AS text[])) GROUP BY proposal_id"
        )
        return dict(session.execute(text(sql), {"ids": ids}).all())
    totals: dict[str, int] = {}
    for i in range(0, len(ids), CHUNK):
        totals |= dict(
            session.execute(
                select(overdue_notice.c.proposal_id, func.count())
                .where(overdue_notice.c.proposal_id.in_(ids[i : i + CHUNK]))
                .group_by(overdue_notice.c.proposal_id)
            ).all()
        )
    return totals


def _new_overdue(
    session: Session, reasons: list[dict[str, Any]], as_of: date
) -> list[dict[str, Any]]:
    if not reasons:
        return []
    keyed = {(r["proposal_id"], r["reason"]): r for r in reasons}
    fresh = sorted(_claim_notices(session, list(keyed), as_of.toordinal()))
    if not fresh:
        return []
    # Versions count each proposal's overdue announcements, so consumers see no gaps.
    totals = _notices_per_proposal(session, sorted({p for p, _ in fresh}))
    new_per = Counter(p for p, _ in fresh)
    seen: Counter[str] = Counter()
    events = []
    for p, reason in fresh:
        seen[p] += 1
        r = keyed[(p, reason)]
        events.append(
            new_event(
                "proposal_overdue",
                SOURCE,
                {
                    "proposal_id": p,
                    "province": r["province"],
                    "year": r["year"],
                    "source_fund": r["source_fund"],
                    "reason": reason,
                    "detail": r["detail"][:500],
                    "as_of": as_of.isoformat(),
                },
                subject=p,
                version=totals[p] - new_per[p] + seen[p],
            )
        )
    return events
