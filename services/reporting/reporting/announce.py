"""Turning an evaluation into announcements: each change of level once, each overdue once.

The levels table holds each province's current level; an announcement is made only when the
evaluated level differs from it, in the transaction that changes it. On PostgreSQL an
advisory lock serialises evaluations, so two replicas evaluating at once announce nothing
twice; the overdue notices' primary key does the same for proposals (on SQLite, the second
of two simultaneous evaluations fails on it instead).

Memory stays flat however many proposals lag: the lagging proposals stay in the evaluation's
temporary table, a changed province's evidence carries its first `EVIDENCE` reasons, and the
newly overdue proposals are claimed in SQL and announced `PAGE` at a time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from grantflow.audit import Acting
from grantflow.contract import new_event
from grantflow.db import insert
from reporting.adapters.tables import level, level_history, outbox
from reporting.domain.lag import LagRules
from reporting.evaluation import (
    KEPT,
    Evaluation,
    ProvinceFigures,
    detail,
    evaluate,
    first_reasons,
    reasons_of,
)

SOURCE = "grantflow/reporting"
LOCK_KEY = 7_420_160_004
EVIDENCE = 500  # reasons in a province's evidence: the province_lagging schema's maxItems
PAGE = 1000  # overdue announcements built and stored at a time

Announced = dict[str, str]  # {"type": ..., "subject": ...}


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
    reasons_per_province: int = 20,
) -> tuple[Evaluation, list[Announced]]:
    """Evaluate as of `as_of`, each province with its first `reasons_per_province` reasons;
    with `announce`, record and announce what changed (and each change of level in the
    audit trail, under `by`). Answers the evaluation and what was announced."""
    if announce and session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
    result = evaluate(session, rules, as_of, keep=True)
    first = first_reasons(session, rules, as_of, reasons_per_province)
    for f in result.figures:
        f.reasons = first.get(f.key, [])
    if not announce:
        session.rollback()
        return result, []
    announced = _changes_of_level(session, rules, result.figures, as_of, by)
    announced += _newly_overdue(session, rules, as_of)
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
    current = {
        (r.province, r.year, r.source_fund): r
        for r in session.execute(select(level).where(level.c.year == as_of.year))
    }
    announced: list[Announced] = []
    for f in figures:
        before = current.get(f.key)
        previous = before.level if before else "normal"
        if f.level == previous:
            continue
        version = (before.version if before else 0) + 1
        data = evidence(f) | {"as_of": as_of.isoformat()}
        reasons = reasons_of(session, rules, as_of, f.key, EVIDENCE) if f.level != "normal" else []
        if f.level == "normal":
            event = _event("province_recovered", f, version, data | {"previous_level": previous})
        else:
            event = _event(
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
                    "reasons_by_code": dict(sorted(f.reason_counts.items())),
                    "reasons": reasons,
                },
            )
        outbox.add(session, [event])
        announced.append({"type": event["type"], "subject": event["subject"]})
        row = {
            "province": f.province,
            "year": f.year,
            "source_fund": f.source_fund,
            "level": f.level,
            "version": version,
            "as_of_day": as_of.toordinal(),
            "evidence": data | {"reasons": reasons},
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
    return announced


def _event(kind: str, f: ProvinceFigures, version: int, data: dict[str, Any]) -> dict[str, Any]:
    subject = f"{f.province}:{f.year}:{f.source_fund}"
    return new_event(kind, SOURCE, data, subject=subject, version=version)


FRESH = "lag_fresh"
# Each (proposal, reason) of the kept evaluation never noticed before, numbered, with its
# version: a proposal's overdue announcements are counted, so consumers see no gaps.
FRESH_SQL = f"""
SELECT r.proposal_id, r.reason, r.province, r.year, r.source_fund, r.n,
       ROW_NUMBER() OVER (ORDER BY r.proposal_id, r.reason) AS seq,
       COALESCE(prior.k, 0)
         + ROW_NUMBER() OVER (PARTITION BY r.proposal_id ORDER BY r.reason) AS version
FROM {KEPT} r
LEFT JOIN reporting_overdue_notice seen
  ON seen.proposal_id = r.proposal_id AND seen.reason = r.reason
LEFT JOIN (
  SELECT proposal_id, COUNT(*) AS k FROM reporting_overdue_notice
  WHERE proposal_id IN (SELECT proposal_id FROM {KEPT}) GROUP BY proposal_id
) prior ON prior.proposal_id = r.proposal_id
WHERE seen.proposal_id IS NULL
"""
CLAIM_SQL = f"""
INSERT INTO reporting_overdue_notice (proposal_id, reason, as_of_day)
SELECT proposal_id, reason, :day FROM {FRESH}
"""
PAGE_SQL = f"""
SELECT seq, proposal_id, reason, province, year, source_fund, n, version FROM {FRESH}
WHERE seq > :after AND seq <= :after + :page ORDER BY seq
"""


def _newly_overdue(session: Session, rules: LagRules, as_of: date) -> list[Announced]:
    """Claim every (proposal, reason) newly overdue, and announce each once, a page at a time."""
    postgres = session.get_bind().dialect.name == "postgresql"
    session.execute(text(f"DROP TABLE IF EXISTS {'pg_temp' if postgres else 'temp'}.{FRESH}"))
    on_commit = " ON COMMIT DROP" if postgres else ""
    session.execute(text(f"CREATE TEMPORARY TABLE {FRESH}{on_commit} AS {FRESH_SQL}"))
    session.execute(text(f"CREATE INDEX {FRESH}_seq ON {FRESH} (seq)"))
    claimed = session.execute(text(CLAIM_SQL), {"day": as_of.toordinal()}).rowcount
    announced: list[Announced] = []
    for after in range(0, claimed, PAGE):
        rows = session.execute(text(PAGE_SQL), {"after": after, "page": PAGE}).all()
        events = [_overdue(row, rules, as_of) for row in rows]
        outbox.add(session, events)
        announced += ({"type": e["type"], "subject": e["subject"]} for e in events)
    return announced


def _overdue(row: Any, rules: LagRules, as_of: date) -> dict[str, Any]:
    return new_event(
        "proposal_overdue",
        SOURCE,
        {
            "proposal_id": row.proposal_id,
            "province": row.province,
            "year": int(row.year),
            "source_fund": row.source_fund,
            "reason": row.reason,
            "detail": detail(row.reason, int(row.n), as_of, rules)[:500],
            "as_of": as_of.isoformat(),
        },
        subject=row.proposal_id,
        version=int(row.version),
    )
