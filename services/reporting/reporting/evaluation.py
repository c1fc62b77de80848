"""The schedule-lag evaluation as of a date: set-based SQL, one statement per question.

`lagging_reasons` finds every proposal behind its schedule with its reasons (`lagging_counts`
only counts them per province, fund and year); `province_figures` gives allocated, committed and
disbursed per province, fund and year as they stood on the date; `evaluate` puts them together
with the levels of `domain.lag`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from grantflow.reference import province as province_on
from reporting.domain.lag import LagRules, expected_rate, level_of, rate

# The proposals of the evaluated years that existed on :d and were neither closed (rejected or
# cancelled) nor settled by then. Day numbers are ordinals.
OPEN_ON_D = """year BETWEEN :y - 1 AND :y AND submitted_day <= :d
    AND (closed_day IS NULL OR closed_day > :d)
    AND (settled_day IS NULL OR settled_day > :d)"""

# One pass over each child table, restricted to the open proposals with a contract on :d,
# gathers what the reasons need per proposal (f); each branch then returns
# (proposal_id, province, year, source_fund, reason, detail number) from it. Portable SQL
# (PostgreSQL, SQLite >= 3.25): no correlated subquery and no Python loop per row.
REASONS_SQL = f"""
WITH p AS (
  SELECT proposal_id, province, year, source_fund, approved_day, signed_day, accepted_day,
         planned_start_day, planned_end_day
  FROM reporting_proposal WHERE {OPEN_ON_D}
),
progress AS (
  SELECT proposal_id, percent_complete, reported FROM (
    SELECT g.proposal_id, g.percent_complete,
           ROW_NUMBER() OVER (PARTITION BY g.proposal_id ORDER BY g.version DESC) AS nth,
           MAX(CASE WHEN g.as_of_day >= :month_start THEN 1 ELSE 0 END)
             OVER (PARTITION BY g.proposal_id) AS reported
    FROM reporting_progress g
    WHERE g.as_of_day <= :d AND g.proposal_id IN (
      SELECT proposal_id FROM reporting_proposal WHERE {OPEN_ON_D} AND signed_day <= :d)
  ) ranked WHERE nth = 1
),
due AS (
  SELECT s.proposal_id,
         MAX(CASE WHEN s.kind = 'tranche' THEN s.due_total_vnd END) AS tranches,
         MAX(CASE WHEN s.kind = 'repayment' AND s.due_day + :grace < :d
                  THEN s.due_total_vnd END) AS repayments
  FROM reporting_schedule s
  WHERE s.due_day < :d AND s.proposal_id IN (
    SELECT proposal_id FROM reporting_proposal WHERE {OPEN_ON_D} AND signed_day <= :d)
  GROUP BY s.proposal_id
),
paid AS (
  SELECT m.proposal_id,
         SUM(CASE WHEN m.kind = 'disbursed' THEN m.amount_vnd ELSE 0 END) AS disbursed,
         SUM(CASE WHEN m.kind = 'repaid' THEN m.amount_vnd ELSE 0 END) AS repaid
  FROM reporting_money m
  WHERE m.day <= :d AND m.kind IN ('disbursed', 'repaid') AND m.proposal_id IN (
    SELECT proposal_id FROM reporting_proposal WHERE {OPEN_ON_D} AND signed_day <= :d)
  GROUP BY m.proposal_id
),
f AS (
  SELECT p.*, g.percent_complete, COALESCE(g.reported, 0) AS reported,
         due.tranches, due.repayments,
         COALESCE(paid.disbursed, 0) AS disbursed, COALESCE(paid.repaid, 0) AS repaid
  FROM p
  LEFT JOIN progress g ON g.proposal_id = p.proposal_id
  LEFT JOIN due ON due.proposal_id = p.proposal_id
  LEFT JOIN paid ON paid.proposal_id = p.proposal_id
)
SELECT proposal_id, province, year, source_fund, 'no_contract_30_days' AS reason,
       :d - approved_day AS n FROM f
  WHERE year = :y AND approved_day <= :d - :no_contract AND (signed_day IS NULL OR signed_day > :d)
UNION ALL
SELECT proposal_id, province, year, source_fund, 'progress_report_missing', :month_start FROM f
  WHERE year = :y AND signed_day <= :month_due AND (accepted_day IS NULL OR accepted_day > :d)
    AND reported = 0
UNION ALL
SELECT proposal_id, province, year, source_fund, 'progress_behind',
       CAST(COALESCE(percent_complete, 0) AS INTEGER) FROM f
  WHERE year = :y AND signed_day <= :d AND (accepted_day IS NULL OR accepted_day > :d)
    AND planned_end_day > planned_start_day AND planned_start_day < :d
    AND COALESCE(percent_complete, 0) + :gap <
        100.0 * (CASE WHEN :d > planned_end_day THEN planned_end_day ELSE :d END
                 - planned_start_day) / (planned_end_day - planned_start_day)
UNION ALL
SELECT proposal_id, province, year, source_fund, 'not_accepted_by_end', :d - planned_end_day
  FROM f WHERE year = :y AND planned_end_day < :d AND (accepted_day IS NULL OR accepted_day > :d)
UNION ALL
SELECT proposal_id, province, year, source_fund, 'tranche_overdue', 0 FROM f
  WHERE disbursed < tranches
UNION ALL
SELECT proposal_id, province, year, source_fund, 'repayment_overdue', 0 FROM f
  WHERE repaid < repayments
UNION ALL
SELECT proposal_id, province, year, source_fund, 'settlement_late', :d - accepted_day FROM f
  WHERE accepted_day <= :d - :settlement_days
UNION ALL
SELECT proposal_id, province, year, source_fund, 'year_end_unsettled', year FROM f
  WHERE year = :y - 1 AND signed_day <= :d AND :d > :year_end
"""

# Lagging proposals of the evaluated year per province and fund, without their reasons.
LAGGING_SQL = f"""
SELECT province, source_fund, COUNT(DISTINCT proposal_id) FROM ({REASONS_SQL}) r
WHERE year = :y GROUP BY province, source_fund
"""

FIGURES_SQL = """
WITH plans AS (
  SELECT pl.province, pl.source_fund, pl.amount_vnd FROM reporting_plan pl
  JOIN (SELECT province, source_fund, MAX(version) AS v FROM reporting_plan
        WHERE year = :y AND approved_day <= :d GROUP BY province, source_fund) m
    ON m.province = pl.province AND m.source_fund = pl.source_fund AND m.v = pl.version
  WHERE pl.year = :y
),
flows AS (
  SELECT province, source_fund,
    SUM(CASE WHEN kind = 'disbursed' THEN amount_vnd ELSE 0 END) AS disbursed,
    SUM(CASE WHEN kind = 'commitment' THEN amount_vnd
             WHEN kind = 'release' THEN -amount_vnd ELSE 0 END) AS committed
  FROM reporting_money WHERE year = :y AND day <= :d GROUP BY province, source_fund
),
counts AS (
  SELECT province, source_fund, COUNT(*) AS proposals FROM reporting_proposal
  WHERE year = :y AND submitted_day <= :d AND (closed_day IS NULL OR closed_day > :d)
  GROUP BY province, source_fund
),
scope AS (
  SELECT province, source_fund FROM plans UNION SELECT province, source_fund FROM flows
  UNION SELECT province, source_fund FROM counts
)
SELECT s.province, s.source_fund, COALESCE(plans.amount_vnd, 0) AS allocated,
       COALESCE(flows.committed, 0) AS committed, COALESCE(flows.disbursed, 0) AS disbursed,
       COALESCE(counts.proposals, 0) AS proposals
FROM scope s
LEFT JOIN plans ON plans.province = s.province AND plans.source_fund = s.source_fund
LEFT JOIN flows ON flows.province = s.province AND flows.source_fund = s.source_fund
LEFT JOIN counts ON counts.province = s.province AND counts.source_fund = s.source_fund
"""


@dataclass
class ProvinceFigures:
    province: str
    source_fund: str
    year: int
    allocated_vnd: int
    committed_vnd: int
    disbursed_vnd: int
    proposals: int
    region: str | None
    name: str
    rate: float | None = None
    expected_rate: float = 0.0
    regional_average: float | None = None
    level: str = "normal"
    reasons: list[dict[str, str]] = field(default_factory=list)
    lagging: int | None = None  # counted in SQL when the reasons were not gathered

    @property
    def lagging_proposals(self) -> int:
        if self.lagging is not None:
            return self.lagging
        return len({r["proposal_id"] for r in self.reasons})

    @property
    def key(self) -> tuple[str, int, str]:
        return self.province, self.year, self.source_fund


def _month_window(rules: LagRules, as_of: date) -> tuple[date, date]:
    """The month whose progress report is due, and its due date (the 25th)."""
    due_this_month = as_of.replace(day=rules.report_due_day)
    if as_of > due_this_month:
        return as_of.replace(day=1), due_this_month
    previous = as_of.replace(day=1) - timedelta(days=1)
    return previous.replace(day=1), previous.replace(day=rules.report_due_day)


def _params(rules: LagRules, as_of: date) -> dict[str, Any]:
    month_start, month_due = _month_window(rules, as_of)
    return {
        "d": as_of.toordinal(),
        "y": as_of.year,
        "no_contract": rules.no_contract_days,
        "month_start": month_start.toordinal(),
        "month_due": month_due.toordinal(),
        "gap": rules.progress_gap_points,
        "grace": rules.repayment_grace_days,
        "settlement_days": rules.settlement_days,
        "year_end": date(as_of.year, *rules.year_end_settlement).toordinal(),
    }


def lagging_reasons(session: Session, rules: LagRules, as_of: date) -> list[dict[str, Any]]:
    _no_jit(session)
    rows = session.execute(text(REASONS_SQL), _params(rules, as_of)).all()
    return [
        {
            "proposal_id": pid,
            "reason": reason,
            "detail": _detail(reason, n, as_of),
            "province": province,
            "year": year,
            "source_fund": fund,
        }
        for pid, province, year, fund, reason, n in rows
    ]


def lagging_counts(
    session: Session, rules: LagRules, as_of: date
) -> dict[tuple[str, int, str], int]:
    """Lagging proposals of the year of `as_of` per (province, year, fund): 126 rows at most,
    where the reasons themselves can be a hundred thousand."""
    _no_jit(session)
    rows = session.execute(text(LAGGING_SQL), _params(rules, as_of)).all()
    return {(code, as_of.year, fund): int(n) for code, fund, n in rows}


def _no_jit(session: Session) -> None:
    """PostgreSQL's JIT spends seconds compiling these large plans and saves less: off for
    the rest of this transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))


def _detail(reason: str, n: int, as_of: date) -> str:
    match reason:
        case "no_contract_30_days":
            return f"approved {n} days before {as_of:%d/%m/%Y}, no contract signed"
        case "progress_report_missing":
            return f"no progress report for {date.fromordinal(n):%m/%Y} by the due date"
        case "progress_behind":
            return f"{n}% complete, more than the allowed gap behind its planned period"
        case "not_accepted_by_end":
            return f"not accepted {n} days after its planned end"
        case "settlement_late":
            return f"accepted {n} days ago, not settled"
        case "year_end_unsettled":
            return f"contract of {n} not settled by 22/01/{n + 1}"
    return reason.replace("_", " ")


def province_figures(session: Session, rules: LagRules, as_of: date) -> list[ProvinceFigures]:
    year = as_of.year
    _no_jit(session)
    rows = session.execute(text(FIGURES_SQL), {"d": as_of.toordinal(), "y": year}).all()
    figures = []
    for code, fund, allocated, committed, disbursed, proposals in rows:
        unit = province_on(code, date(year, 1, 1)) or province_on(code, as_of)
        figures.append(
            ProvinceFigures(
                code,
                fund,
                year,
                int(allocated),
                int(committed),
                int(disbursed),
                int(proposals),
                unit.region if unit else None,
                unit.name if unit else code,
            )
        )
    return figures


def evaluate(
    session: Session, rules: LagRules, as_of: date, with_reasons: bool = True
) -> tuple[list[ProvinceFigures], list[dict[str, Any]]]:
    """Every province's figures and level on `as_of`, and every lagging proposal's reasons.

    `with_reasons=False` (the reports) counts the lagging proposals in SQL instead: the same
    levels, no reasons, and no list of every lagging proposal in memory.
    """
    reasons = lagging_reasons(session, rules, as_of) if with_reasons else []
    counts = None if with_reasons else lagging_counts(session, rules, as_of)
    figures = province_figures(session, rules, as_of)
    by_key: dict[tuple[str, int, str], list[dict[str, Any]]] = defaultdict(list)
    for r in reasons:
        by_key[(r["province"], r["year"], r["source_fund"])].append(r)
    regional: dict[tuple[str | None, str], list[int]] = defaultdict(lambda: [0, 0])
    for f in figures:
        totals = regional[(f.region, f.source_fund)]
        totals[0] += f.disbursed_vnd
        totals[1] += f.allocated_vnd
    expected = expected_rate(rules, as_of.year, as_of)
    for f in figures:
        f.reasons = [
            {k: r[k] for k in ("proposal_id", "reason", "detail")} for r in by_key.get(f.key, [])
        ]
        if counts is not None:
            f.lagging = counts.get(f.key, 0)
        f.rate = rate(f.disbursed_vnd, f.allocated_vnd)
        f.expected_rate = expected
        f.regional_average = rate(*regional[(f.region, f.source_fund)])
        share = f.lagging_proposals / f.proposals if f.proposals else 0.0
        f.level = level_of(rules, f.rate, expected, f.regional_average, share)
    return figures, reasons
