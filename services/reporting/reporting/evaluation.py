"""The schedule-lag evaluation as of a date: set-based SQL, one statement per question.

`lagging_reasons` finds every proposal behind its schedule with its reasons; `province_figures`
gives allocated, committed and disbursed per province, fund and year as they stood on the
date; `evaluate` puts both together with the levels of `domain.lag`.
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

# Each branch returns (proposal_id, reason, detail) for proposals of the evaluated years that
# existed on :d and were not closed (rejected or cancelled) by then. Day numbers are ordinals.
REASONS_SQL = """
WITH p AS (
  SELECT * FROM reporting_proposal
  WHERE year BETWEEN :y - 1 AND :y AND submitted_day <= :d
    AND (closed_day IS NULL OR closed_day > :d)
    AND (settled_day IS NULL OR settled_day > :d)
),
latest AS (
  SELECT g.proposal_id, g.percent_complete FROM reporting_progress g
  JOIN (SELECT proposal_id, MAX(version) AS v FROM reporting_progress
        WHERE as_of_day <= :d GROUP BY proposal_id) m
    ON m.proposal_id = g.proposal_id AND m.v = g.version
),
paid AS (
  SELECT proposal_id,
         SUM(CASE WHEN kind = 'disbursed' THEN amount_vnd ELSE 0 END) AS disbursed,
         SUM(CASE WHEN kind = 'repaid' THEN amount_vnd ELSE 0 END) AS repaid
  FROM reporting_money WHERE day <= :d GROUP BY proposal_id
)
SELECT proposal_id, 'no_contract_30_days' AS reason, :d - approved_day AS n FROM p
  WHERE year = :y AND approved_day <= :d - :no_contract AND (signed_day IS NULL OR signed_day > :d)
UNION ALL
SELECT p.proposal_id, 'progress_report_missing', :month_start FROM p
  WHERE year = :y AND signed_day <= :month_due AND (accepted_day IS NULL OR accepted_day > :d)
    AND NOT EXISTS (SELECT 1 FROM reporting_progress r WHERE r.proposal_id = p.proposal_id
                    AND r.as_of_day BETWEEN :month_start AND :d)
UNION ALL
SELECT p.proposal_id, 'progress_behind',
       CAST(COALESCE(l.percent_complete, 0) AS INTEGER) FROM p
  LEFT JOIN latest l ON l.proposal_id = p.proposal_id
  WHERE p.year = :y AND p.signed_day <= :d AND (p.accepted_day IS NULL OR p.accepted_day > :d)
    AND p.planned_end_day > p.planned_start_day AND p.planned_start_day < :d
    AND COALESCE(l.percent_complete, 0) + :gap <
        100.0 * (CASE WHEN :d > p.planned_end_day THEN p.planned_end_day ELSE :d END
                 - p.planned_start_day) / (p.planned_end_day - p.planned_start_day)
UNION ALL
SELECT proposal_id, 'not_accepted_by_end', :d - planned_end_day FROM p
  WHERE year = :y AND planned_end_day < :d AND (accepted_day IS NULL OR accepted_day > :d)
UNION ALL
SELECT DISTINCT p.proposal_id, 'tranche_overdue', 0 FROM p
  JOIN reporting_schedule s ON s.proposal_id = p.proposal_id AND s.kind = 'tranche'
  LEFT JOIN paid ON paid.proposal_id = p.proposal_id
  WHERE s.due_day < :d AND COALESCE(paid.disbursed, 0) < s.due_total_vnd
UNION ALL
SELECT DISTINCT p.proposal_id, 'repayment_overdue', 0 FROM p
  JOIN reporting_schedule s ON s.proposal_id = p.proposal_id AND s.kind = 'repayment'
  LEFT JOIN paid ON paid.proposal_id = p.proposal_id
  WHERE s.due_day + :grace < :d AND COALESCE(paid.repaid, 0) < s.due_total_vnd
UNION ALL
SELECT proposal_id, 'settlement_late', :d - accepted_day FROM p
  WHERE accepted_day <= :d - :settlement_days
UNION ALL
SELECT proposal_id, 'year_end_unsettled', year FROM p
  WHERE year = :y - 1 AND signed_day <= :d AND :d > :year_end
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

    @property
    def lagging_proposals(self) -> int:
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


def lagging_reasons(session: Session, rules: LagRules, as_of: date) -> list[dict[str, Any]]:
    month_start, month_due = _month_window(rules, as_of)
    params = {
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
    rows = session.execute(text(REASONS_SQL), params).all()
    return [
        {"proposal_id": pid, "reason": reason, "detail": _detail(reason, n, as_of)}
        for pid, reason, n in rows
    ]


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
    session: Session, rules: LagRules, as_of: date
) -> tuple[list[ProvinceFigures], list[dict[str, Any]]]:
    """Every province's figures and level on `as_of`, and every lagging proposal's reasons."""
    reasons = lagging_reasons(session, rules, as_of)
    figures = province_figures(session, rules, as_of)
    scope = {
        r.proposal_id: (r.province, r.year, r.source_fund)
        for r in session.execute(
            text(
                "SELECT proposal_id, province, year, source_fund FROM reporting_proposal "
                "WHERE year BETWEEN :y - 1 AND :y"
            ),
            {"y": as_of.year},
        )
    }
    by_key: dict[tuple[str, int, str], list[dict[str, Any]]] = defaultdict(list)
    for r in reasons:
        by_key[scope[r["proposal_id"]]].append(r)
        r.update(zip(("province", "year", "source_fund"), scope[r["proposal_id"]], strict=True))
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
        f.rate = rate(f.disbursed_vnd, f.allocated_vnd)
        f.expected_rate = expected
        f.regional_average = rate(*regional[(f.region, f.source_fund)])
        share = f.lagging_proposals / f.proposals if f.proposals else 0.0
        f.level = level_of(rules, f.rate, expected, f.regional_average, share)
    return figures, reasons
