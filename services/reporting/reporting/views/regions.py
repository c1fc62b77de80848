"""The regional report of a period, as the 2016 conference report reads: funding, local plans,
outputs against targets, disbursement, lagging provinces."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, select, text
from sqlalchemy.orm import Session

from grantflow.domain import FUNDS, change_percent, rate
from grantflow.errors import Refused
from grantflow.reference import region_members
from reporting.adapters.evaluation import evaluate
from reporting.adapters.tables import progress, proposal
from reporting.domain.lag import LEVELS, LagRules
from reporting.domain.units import MERGER, stored_codes, unit_code

# What the 2016 report counts for each activity, as the outputs and targets name it.
MEASURES = (
    ("training", "trainees", "vocational trainees"),
    ("capacity", "trainees", "people trained in management and start-up"),
    ("demonstration", "models", "demonstration models"),
    ("machinery", "establishments", "establishments supported with machinery"),
    ("trade_fair", "participations", "trade-fair participations"),
)


def parse_period(period: str) -> tuple[int, date, date]:
    """`2016`, `2016-H1`, `2016-H2`, `2016-Q1` … `2016-Q4` -> (year, first day, last day)."""
    year_part, dash, part = period.partition("-")
    if (
        not (year_part.isascii() and year_part.isdigit())
        or not 2000 <= int(year_part) <= 2100
        or (dash and not part)
    ):
        raise Refused("bad_query", f"period {period!r}: expected e.g. 2016, 2016-H1, 2016-Q3")
    year = int(year_part)
    spans = {
        "": (1, 12),
        "H1": (1, 6),
        "H2": (7, 12),
        "Q1": (1, 3),
        "Q2": (4, 6),
        "Q3": (7, 9),
        "Q4": (10, 12),
    }
    if part not in spans:
        raise Refused("bad_query", f"period {period!r}: expected e.g. 2016, 2016-H1, 2016-Q3")
    first, last = spans[part]
    end = date(year + (last == 12), 1 if last == 12 else last + 1, 1)
    return year, date(year, first, 1), date.fromordinal(end.toordinal() - 1)


def region_report(session: Session, rules: LagRules, region: str, period: str) -> dict[str, Any]:
    year, start, end = parse_period(period)
    try:  # the units of the period's end: from 01/07/2025, the 34
        members = region_members(region, end)
    except KeyError:
        raise Refused("not_found", f"no region or grouping {region!r}") from None
    funding = _funding(session, year, end, members)
    figures = evaluate(session, rules, end).figures
    mine = [f for f in figures if f.province in members]
    lagging = sorted(
        (
            {
                "province": f.province,
                "province_name": f.name,
                "source_fund": f.source_fund,
                "level": f.level,
                "drivers": list(f.drivers),
                "rate": f.rate,
                "lagging_proposals": f.lagging_proposals,
            }
            for f in mine
            if f.level != "normal"
        ),
        key=lambda x: (-LEVELS.index(x["level"]), x["province"]),
    )
    disbursed = sum(f.disbursed_vnd for f in mine)
    allocated = sum(f.allocated_vnd for f in mine)
    return {
        "region": region,
        "period": period,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "provinces": len(members),
        "funding": funding["funds"],
        "provinces_with_local_plan": funding["local_plans"],
        "outputs": _outputs(session, year, end, members),
        "disbursement": {
            "allocated_vnd": allocated,
            "disbursed_vnd": disbursed,
            "rate": rate(disbursed, allocated),
            "expected_rate": mine[0].expected_rate if mine else None,
        },
        "lagging_provinces": lagging,
    }


def _plans(
    session: Session, year: int, until: date | None, members: list[str], on: date
) -> dict[tuple[str, str], int]:
    """The latest plan of each unit of `on` (approved by `until`, if given)."""
    sql = (
        "SELECT pl.province, pl.source_fund, pl.amount_vnd, pl.version, pl.approved_day "
        "FROM reporting_plan pl WHERE pl.year = :y ORDER BY pl.version"
    )
    rows = [
        (code, fund, int(amount), day)
        for code, fund, amount, _, day in session.execute(text(sql), {"y": year})
        if until is None or day <= until.toordinal()
    ]
    latest = {(code, fund): amount for code, fund, amount, _ in rows}  # by version
    # Under the units of `on`: a merged province's plan is its predecessors' together, unless
    # it has one of its own approved from the merger on.
    units: dict[tuple[str, str], int] = defaultdict(int)
    for (code, fund), amount in latest.items():
        units[(unit_code(code, on), fund)] += amount
    units.update({(c, f): a for c, f, a, day in rows if day >= MERGER.toordinal()})
    return {key: v for key, v in units.items() if key[0] in members}


def _funding(session: Session, year: int, end: date, members: list[str]) -> dict[str, Any]:
    now = _plans(session, year, end, members, end)
    before = _plans(session, year - 1, None, members, end)
    funds = []
    for fund in (*FUNDS, "all"):
        amount = sum(v for (_, f), v in now.items() if fund in ("all", f))
        previous = sum(v for (_, f), v in before.items() if fund in ("all", f))
        funds.append(
            {
                "source_fund": fund,
                "amount_vnd": amount,
                "previous_year_vnd": previous,
                "change_percent": change_percent(amount, previous),
            }
        )
    local = len({code for code, f in now if f == "local"})
    return {"funds": funds, "local_plans": {"approved": local, "of": len(members)}}


def _outputs(session: Session, year: int, end: date, members: list[str]) -> list[dict[str, Any]]:
    """Outputs achieved (each proposal's latest progress report by `end`) against the targets
    of the proposals approved by then, per activity: sums in SQL, whatever the number of
    proposals."""
    d = end.toordinal()
    mine = and_(
        proposal.c.year == year,
        proposal.c.submitted_day <= d,
        proposal.c.province.in_(stored_codes(members, end)),
    )
    latest = (
        select(progress.c.proposal_id, func.max(progress.c.version).label("version"))
        .where(
            progress.c.as_of_day <= d,
            progress.c.proposal_id.in_(select(proposal.c.proposal_id).where(mine)),
        )
        .group_by(progress.c.proposal_id)
        .subquery()
    )
    report = (
        select(progress.c.proposal_id, progress.c.outputs)
        .join(
            latest,
            and_(
                latest.c.proposal_id == progress.c.proposal_id,
                latest.c.version == progress.c.version,
            ),
        )
        .subquery()
    )
    columns = []
    for activity, measure, _ in MEASURES:
        of_activity = proposal.c.activity == activity
        approved = and_(of_activity, proposal.c.approved_day <= d)
        columns += [
            func.sum(case((of_activity, report.c.outputs[measure].as_float()), else_=0)),
            func.sum(case((approved, proposal.c.targets[measure].as_float()), else_=0)),
        ]
    sums = session.execute(
        select(*columns)
        .select_from(proposal)
        .outerjoin(report, report.c.proposal_id == proposal.c.proposal_id)
        .where(mine)
    ).one()
    rows = []
    for i, (activity, measure, label) in enumerate(MEASURES):
        achieved, target = int(sums[2 * i] or 0), int(sums[2 * i + 1] or 0)
        rows.append(
            {
                "activity": activity,
                "measure": measure,
                "label": label,
                "achieved": achieved,
                "target": target,
                "share_percent": round(achieved * 100 / target, 1) if target else None,
            }
        )
    return rows
