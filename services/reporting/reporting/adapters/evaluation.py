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
from grantflow.domain import Scope, rate
from reporting.adapters.figures import ProvinceFigures, no_jit, province_figures
from reporting.adapters.lag_sql import LAGGING_SQL, REASONS_SQL
from reporting.domain.comparison import group_of
from reporting.domain.drivers import judge, peer_averages
from reporting.domain.lag import LagRules, detail, expected_rate, report_month
from reporting.domain.units import stored_codes, unit_code

KEPT = "lag_reason"
__all__ = ["Evaluation", "ProvinceFigures", "evaluate", "province_figures"]


@dataclass
class Evaluation:
    as_of: date
    figures: list[ProvinceFigures]
    # Reasons counted per scope, last year's scopes too (their contracts settle by January).
    reason_counts: dict[Scope, dict[str, int]] = field(default_factory=dict)
    # Year-end forecasts by (province, source_fund), when the evaluation made them.
    forecasts: dict[tuple[str, str], Any] = field(default_factory=dict)

    def by_province_reason(self) -> dict[tuple[str, str], int]:
        totals: dict[tuple[str, str], int] = defaultdict(int)
        for (province, _, _), counts in self.reason_counts.items():
            for reason, n in counts.items():
                totals[(province, reason)] += n
        return dict(totals)


def evaluate(session: Session, rules: LagRules, as_of: date, keep: bool = False) -> Evaluation:
    """Every province's figures and level on `as_of`; with `keep`, the lagging proposals kept
    in `lag_reason` and their reasons counted per scope."""
    no_jit(session)
    params = _params(rules, as_of)
    counts: dict[Scope, dict[str, int]] = {}
    if keep:
        _keep_reasons(session, params)
        lagging = _summed(
            ((unit_code(p, as_of), int(y), f), int(n))
            for p, y, f, n in session.execute(text(_LAGGING))
        )
        for p, y, fund, reason, n in session.execute(text(_PER_REASON)):
            scope = counts.setdefault((unit_code(p, as_of), int(y), fund), {})
            scope[reason] = scope.get(reason, 0) + int(n)
    else:
        rows = session.execute(text(LAGGING_SQL), params)
        lagging = _summed(((unit_code(p, as_of), as_of.year, fund), int(n)) for p, fund, n in rows)
    figures = province_figures(session, as_of)
    groups = group_of(
        {f.province for f in figures},
        {f.province: f.region for f in figures},
        rules.comparison_groups,
        as_of,
    )
    peers = peer_averages(
        ((f.province, f.source_fund, f.disbursed_vnd, f.allocated_vnd) for f in figures), groups
    )
    expected = expected_rate(rules, as_of.year, as_of)
    for f in figures:
        f.lagging_proposals = lagging.get(f.key, 0)
        f.reason_counts = counts.get(f.key, {})
        f.rate = rate(f.disbursed_vnd, f.allocated_vnd)
        f.expected_rate = expected
        mine = peers[(f.province, f.source_fund)]
        f.comparison_group = groups[f.province]
        f.regional_average, f.peers = mine.average, mine.count
        judged = judge(rules, f.rate, expected, f.regional_average, f.lagging_share)
        f.level, f.drivers = judged.level, judged.drivers
    return Evaluation(as_of, figures, counts)


def _summed(pairs: Any) -> dict[Scope, int]:
    out: dict[Scope, int] = defaultdict(int)
    for key, n in pairs:
        out[key] += n
    return dict(out)


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
    codes = stored_codes([scope[0]], as_of)
    marks = ", ".join(f":p{i}" for i in range(len(codes)))
    rows = session.execute(
        text(
            f"SELECT {_REASON_COLUMNS} FROM {KEPT} WHERE province IN ({marks}) AND year = :y"
            " AND source_fund = :f ORDER BY proposal_id, reason LIMIT :limit"
        ),
        {"y": scope[1], "f": scope[2], "limit": limit}
        | {f"p{i}": code for i, code in enumerate(codes)},
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
        scope = (unit_code(row.province, as_of), int(row.year), row.source_fund)
        found[scope].append(_reason(row, rules, as_of))
    return {  # a merged province: its predecessors' first reasons together, by proposal id
        scope: sorted(reasons, key=lambda r: (r["proposal_id"], r["reason"]))[:limit]
        for scope, reasons in found.items()
    }


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
