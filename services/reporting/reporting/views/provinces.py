"""The province report as of a date, with the proposals by their state then; cached per state
of the read models."""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from grantflow.domain import rate
from reporting.adapters.evaluation import evaluate
from reporting.adapters.forecasting import combined, forecasts
from reporting.domain.drivers import DRIVERS
from reporting.domain.lag import LEVELS, LagRules
from reporting.domain.quality import Quality
from reporting.views.quality import data_quality

STATE_AS_OF_SQL = """
SELECT province, source_fund,
  CASE WHEN settled_day <= :d THEN 'settled'
       WHEN closed_day <= :d THEN state
       WHEN accepted_day <= :d THEN 'accepted'
       WHEN signed_day <= :d AND EXISTS (SELECT 1 FROM reporting_progress g
            WHERE g.proposal_id = p.proposal_id AND g.as_of_day <= :d) THEN 'in_progress'
       WHEN signed_day <= :d THEN 'contracted'
       WHEN approved_day <= :d THEN 'approved'
       ELSE 'in_appraisal' END AS state_then,
  COUNT(*) FROM reporting_proposal p
WHERE year = :y AND submitted_day <= :d GROUP BY province, source_fund, state_then
"""


def _states(session: Session, year: int, as_of: date) -> dict[tuple[str, str], dict[str, int]]:
    out: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for code, fund, state, n in session.execute(
        text(STATE_AS_OF_SQL), {"d": as_of.toordinal(), "y": year}
    ):
        out[(code, fund)][state] = int(n)
    return out


def states_by_province(session: Session, as_of: date) -> dict[tuple[str, str], int]:
    """Proposals of the year by province and state as of a date, both funds together."""
    out: dict[tuple[str, str], int] = defaultdict(int)
    for (code, _fund), by_state in _states(session, as_of.year, as_of).items():
        for state, n in by_state.items():
            out[(code, state)] += n
    return dict(out)


# Province reports already computed, by (the read models' change counter, rules, year, fund,
# as_of): a report holds until a projection changes a read model. Each is small (63 rows).
_REPORTS: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
CACHED_REPORTS = 64


def changes(session: Session) -> int | None:
    """The read models' change counter; None where there is none (then nothing is cached)."""
    return session.execute(text("SELECT changes FROM reporting_watermark WHERE id = 1")).scalar()


def province_report(
    session: Session, rules: LagRules, year: int, fund: str | None, as_of: date
) -> dict[str, Any]:
    """The report as of a date: computed once per state of the read models, then reused."""
    mark = changes(session)
    key = (mark, rules, year, fund, as_of)
    if mark is not None and key in _REPORTS:
        _REPORTS.move_to_end(key)
        return _REPORTS[key]
    report = _province_report(session, rules, year, fund, as_of)
    if mark is not None:
        _REPORTS[key] = report
        while len(_REPORTS) > CACHED_REPORTS:
            _REPORTS.popitem(last=False)
    return report


def _regional_averages(items: list[dict[str, Any]]) -> dict[str | None, float | None]:
    """Per GSO region of the rows: disbursed over allocated, all its provinces together."""
    sums: dict[str | None, list[int]] = defaultdict(lambda: [0, 0])
    for row in items:
        sums[row["region"]][0] += row["disbursed_vnd"]
        sums[row["region"]][1] += row["allocated_vnd"]
    return {region: rate(d, a) for region, (d, a) in sums.items()}


def _province_report(
    session: Session, rules: LagRules, year: int, fund: str | None, as_of: date
) -> dict[str, Any]:
    figures = evaluate(session, rules, as_of).figures
    forecast = forecasts(session, rules, as_of)
    quality = data_quality(session, rules, as_of)
    states = _states(session, year, as_of)
    rows: dict[str, dict[str, Any]] = {}
    for f in figures:
        if fund and f.source_fund != fund:
            continue
        row = rows.setdefault(
            f.province,
            {
                "province": f.province,
                "province_name": f.name,
                "region": f.region,
                "source_fund": fund or "all",
                "allocated_vnd": 0,
                "committed_vnd": 0,
                "disbursed_vnd": 0,
                "refunded_vnd": 0,
                "owed_vnd": 0,
                "expected_rate": f.expected_rate,
                "level": "normal",
                "drivers": [],
                "comparison_group": f.comparison_group,
                "proposals_by_state": defaultdict(int),
                "lagging_proposals": 0,
            },
        )
        row["allocated_vnd"] += f.allocated_vnd
        row["committed_vnd"] += f.committed_vnd
        row["disbursed_vnd"] += f.disbursed_vnd
        row["refunded_vnd"] += f.refunded_vnd
        row["owed_vnd"] += f.owed_vnd
        row["lagging_proposals"] += f.lagging_proposals
        if LEVELS.index(f.level) > LEVELS.index(row["level"]):
            row["level"], row["drivers"] = f.level, list(f.drivers)
        elif f.level == row["level"] != "normal":
            row["drivers"] = [d for d in DRIVERS if d in {*row["drivers"], *f.drivers}]
        for state, n in states.get((f.province, f.source_fund), {}).items():
            row["proposals_by_state"][state] += n
        mine = forecast.get((f.province, f.source_fund))
        if mine is not None:
            row.setdefault("_forecasts", []).append(mine)
    items = []
    for code in sorted(rows):
        row = rows[code]
        row["forecast"] = combined(row.pop("_forecasts", []))
        row["data_quality"] = quality.get(code, Quality()).as_dict()
        row["rate"] = rate(row["disbursed_vnd"], row["allocated_vnd"])
        row["proposals_by_state"] = dict(sorted(row["proposals_by_state"].items()))
        items.append(row)
    averages = _regional_averages(items)
    for row in items:
        row["regional_average"] = averages.get(row["region"])
    return {"year": year, "source_fund": fund, "as_of": as_of.isoformat(), "items": items}
