"""The schedule-lag evaluation as of a date: every province's figures, level and laggards.

`evaluate` runs the set-based SQL of `lag_sql`. With `keep=True` (an evaluation proper, not a
report) it keeps every lagging proposal with its reasons in the temporary table `lag_reason`
for the rest of the transaction: at national scale they are a hundred thousand rows, so they
stay in the database, counted there per scope and read back a few at a time (`reasons_of`,
`first_reasons`) or claimed as overdue notices in SQL (`announce`). Without it the lagging
proposals are only counted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from grantflow.db import is_postgres
from grantflow.domain import rate
from grantflow.reference import province as province_on
from reporting.adapters.lag_sql import FIGURES_SQL, LAGGING_SQL, REASONS_SQL
from reporting.domain.lag import LagRules, detail, expected_rate, level_of, report_month

KEPT = "lag_reason"
Scope = tuple[str, int, str]  # province, year, source_fund


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
    lagging_proposals: int = 0
    reason_counts: dict[str, int] = field(default_factory=dict)  # kept evaluations only
    reasons: list[dict[str, str]] = field(default_factory=list)  # the first few, if read
    refunded_vnd: int = 0  # refunds due from beneficiaries after settlement
    owed_vnd: int = 0  # settled and still payable to beneficiaries

    @property
    def key(self) -> Scope:
        return self.province, self.year, self.source_fund


@dataclass
class Evaluation:
    as_of: date
    figures: list[ProvinceFigures]
    # Reasons counted per scope, last year's scopes too (their contracts settle by January).
    reason_counts: dict[Scope, dict[str, int]] = field(default_factory=dict)

    def by_province_reason(self) -> dict[tuple[str, str], int]:
        totals: dict[tuple[str, str], int] = defaultdict(int)
        for (province, _, _), counts in self.reason_counts.items():
            for reason, n in counts.items():
                totals[(province, reason)] += n
        return dict(totals)


def evaluate(session: Session, rules: LagRules, as_of: date, keep: bool = False) -> Evaluation:
    """Every province's figures and level on `as_of`; with `keep`, the lagging proposals kept
    in `lag_reason` and their reasons counted per scope."""
    _no_jit(session)
    params = _params(rules, as_of)
    counts: dict[Scope, dict[str, int]] = {}
    if keep:
        _keep_reasons(session, params)
        lagging = {(p, int(y), f): int(n) for p, y, f, n in session.execute(text(_LAGGING))}
        for p, y, fund, reason, n in session.execute(text(_PER_REASON)):
            counts.setdefault((p, int(y), fund), {})[reason] = int(n)
    else:
        rows = session.execute(text(LAGGING_SQL), params)
        lagging = {(p, as_of.year, fund): int(n) for p, fund, n in rows}
    figures = province_figures(session, as_of)
    regional: dict[tuple[str | None, str], list[int]] = defaultdict(lambda: [0, 0])
    for f in figures:
        totals = regional[(f.region, f.source_fund)]
        totals[0] += f.disbursed_vnd
        totals[1] += f.allocated_vnd
    expected = expected_rate(rules, as_of.year, as_of)
    for f in figures:
        f.lagging_proposals = lagging.get(f.key, 0)
        f.reason_counts = counts.get(f.key, {})
        f.rate = rate(f.disbursed_vnd, f.allocated_vnd)
        f.expected_rate = expected
        f.regional_average = rate(*regional[(f.region, f.source_fund)])
        share = f.lagging_proposals / f.proposals if f.proposals else 0.0
        f.level = level_of(rules, f.rate, expected, f.regional_average, share)
    return Evaluation(as_of, figures, counts)


_SCOPE = "province, year, source_fund"
_LAGGING = f"SELECT {_SCOPE}, COUNT(DISTINCT proposal_id) FROM {KEPT} GROUP BY {_SCOPE}"
_PER_REASON = f"SELECT {_SCOPE}, reason, COUNT(*) FROM {KEPT} GROUP BY {_SCOPE}, reason"


def _keep_reasons(session: Session, params: dict[str, Any]) -> None:
    keep_as(session, KEPT, REASONS_SQL, params)
    session.execute(
        text(f"CREATE INDEX {KEPT}_scope ON {KEPT} (province, year, source_fund, proposal_id)")
    )
    if is_postgres(session):
        session.execute(text(f"ANALYZE {KEPT}"))


def keep_as(session: Session, name: str, sql: str, params: dict[str, Any] | None = None) -> None:
    """A query's rows as the temporary table `name` for the rest of the transaction (on
    PostgreSQL dropped at commit; on SQLite until the next evaluation drops it)."""
    postgres = is_postgres(session)
    session.execute(text(f"DROP TABLE IF EXISTS {'pg_temp' if postgres else 'temp'}.{name}"))
    on_commit = " ON COMMIT DROP" if postgres else ""
    session.execute(text(f"CREATE TEMPORARY TABLE {name}{on_commit} AS {sql}"), params or {})


_REASON_COLUMNS = "proposal_id, province, year, source_fund, reason, n"


def reasons_of(
    session: Session, rules: LagRules, as_of: date, scope: Scope, limit: int
) -> list[dict[str, str]]:
    """The first `limit` reasons of a scope, by proposal id, from the kept evaluation."""
    rows = session.execute(
        text(
            f"SELECT {_REASON_COLUMNS} FROM {KEPT} WHERE province = :p AND year = :y"
            " AND source_fund = :f ORDER BY proposal_id, reason LIMIT :limit"
        ),
        {"p": scope[0], "y": scope[1], "f": scope[2], "limit": limit},
    )
    return [_reason(row, rules, as_of) for row in rows]


def first_reasons(
    session: Session, rules: LagRules, as_of: date, limit: int
) -> dict[Scope, list[dict[str, str]]]:
    """Every scope's first `limit` reasons, by proposal id, from the kept evaluation."""
    if limit <= 0:
        return {}
    rows = session.execute(
        text(
            f"SELECT {_REASON_COLUMNS} FROM (SELECT r.*, ROW_NUMBER() OVER (PARTITION BY"
            f" province, year, source_fund ORDER BY proposal_id, reason) AS nth FROM {KEPT} r)"
            " ranked WHERE nth <= :limit ORDER BY province, year, source_fund, nth"
        ),
        {"limit": limit},
    )
    found: dict[Scope, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        found[(row.province, int(row.year), row.source_fund)].append(_reason(row, rules, as_of))
    return dict(found)


def _reason(row: Any, rules: LagRules, as_of: date) -> dict[str, str]:
    return {
        "proposal_id": row.proposal_id,
        "reason": row.reason,
        "detail": detail(row.reason, int(row.n), as_of, rules),
    }


def _params(rules: LagRules, as_of: date) -> dict[str, Any]:
    month_start, month_due = report_month(rules, as_of)
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


def _no_jit(session: Session) -> None:
    """PostgreSQL's JIT spends seconds compiling these large plans and saves less: off for
    the rest of this transaction."""
    if is_postgres(session):
        session.execute(text("SET LOCAL jit = off"))


def province_figures(session: Session, as_of: date) -> list[ProvinceFigures]:
    year = as_of.year
    _no_jit(session)
    rows = session.execute(text(FIGURES_SQL), {"d": as_of.toordinal(), "y": year}).all()
    figures = []
    for code, fund, allocated, committed, disbursed, proposals, refunded, owed in rows:
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
                refunded_vnd=int(refunded),
                owed_vnd=int(owed),
            )
        )
    return figures
