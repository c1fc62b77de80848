"""The reports: per province, per region and period, the warnings. Queries live here only."""

from __future__ import annotations

import csv
import io
import json
from collections import OrderedDict, defaultdict
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from grantflow.errors import Refused
from grantflow.reference import province as province_on
from grantflow.reference import region_members
from reporting.domain.lag import LEVELS, LagRules, rate
from reporting.evaluation import ProvinceFigures, evaluate

# What the 2016 report counts for each activity, as the outputs and targets name it.
MEASURES = (
    ("training", "trainees", "vocational trainees"),
    ("capacity", "trainees", "people trained in management and start-up"),
    ("demonstration", "models", "demonstration models"),
    ("machinery", "establishments", "establishments supported with machinery"),
    ("trade_fair", "participations", "trade-fair participations"),
)

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


def _province_report(
    session: Session, rules: LagRules, year: int, fund: str | None, as_of: date
) -> dict[str, Any]:
    figures = evaluate(session, rules, as_of).figures
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
                "expected_rate": f.expected_rate,
                "level": "normal",
                "proposals_by_state": defaultdict(int),
                "lagging_proposals": 0,
            },
        )
        row["allocated_vnd"] += f.allocated_vnd
        row["committed_vnd"] += f.committed_vnd
        row["disbursed_vnd"] += f.disbursed_vnd
        row["lagging_proposals"] += f.lagging_proposals
        if LEVELS.index(f.level) > LEVELS.index(row["level"]):
            row["level"] = f.level
        for state, n in states.get((f.province, f.source_fund), {}).items():
            row["proposals_by_state"][state] += n
    items = []
    for code in sorted(rows):
        row = rows[code]
        row["rate"] = rate(row["disbursed_vnd"], row["allocated_vnd"])
        row["proposals_by_state"] = dict(sorted(row["proposals_by_state"].items()))
        items.append(row)
    return {"year": year, "source_fund": fund, "as_of": as_of.isoformat(), "items": items}


def region_report(session: Session, rules: LagRules, region: str, period: str) -> dict[str, Any]:
    year, start, end = parse_period(period)
    try:
        members = region_members(region, date(year, 1, 1))
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
    session: Session, year: int, until: date | None, members: list[str]
) -> dict[tuple[str, str], int]:
    sql = (
        "SELECT pl.province, pl.source_fund, pl.amount_vnd, pl.version, pl.approved_day "
        "FROM reporting_plan pl WHERE pl.year = :y ORDER BY pl.version"
    )
    latest: dict[tuple[str, str], int] = {}
    for code, fund, amount, _, approved_day in session.execute(text(sql), {"y": year}):
        if code in members and (until is None or approved_day <= until.toordinal()):
            latest[(code, fund)] = int(amount)
    return latest


def _funding(session: Session, year: int, end: date, members: list[str]) -> dict[str, Any]:
    now, before = _plans(session, year, end, members), _plans(session, year - 1, None, members)
    funds = []
    for fund in ("national", "local", "all"):
        amount = sum(v for (_, f), v in now.items() if fund in ("all", f))
        previous = sum(v for (_, f), v in before.items() if fund in ("all", f))
        funds.append(
            {
                "source_fund": fund,
                "amount_vnd": amount,
                "previous_year_vnd": previous,
                "change_percent": round((amount - previous) * 100 / previous, 2)
                if previous
                else None,
            }
        )
    local = len({code for code, f in now if f == "local"})
    return {"funds": funds, "local_plans": {"approved": local, "of": len(members)}}


def _outputs(session: Session, year: int, end: date, members: list[str]) -> list[dict[str, Any]]:
    d = end.toordinal()
    proposals = session.execute(
        text(
            "SELECT proposal_id, province, activity, targets, approved_day FROM reporting_proposal "
            "WHERE year = :y AND submitted_day <= :d"
        ),
        {"y": year, "d": d},
    ).all()
    latest = {
        pid: outputs
        for pid, outputs in session.execute(
            text(
                "SELECT g.proposal_id, g.outputs FROM reporting_progress g JOIN ("
                " SELECT proposal_id, MAX(version) AS v FROM reporting_progress"
                " WHERE as_of_day <= :d"
                " GROUP BY proposal_id) m ON m.proposal_id = g.proposal_id AND m.v = g.version"
            ),
            {"d": d},
        )
    }
    rows = []
    for activity, measure, label in MEASURES:
        chosen = [p for p in proposals if p.activity == activity and p.province in members]
        achieved = sum(int(_json(latest.get(p.proposal_id)).get(measure, 0)) for p in chosen)
        target = sum(
            int(_json(p.targets).get(measure, 0))
            for p in chosen
            if p.approved_day is not None and p.approved_day <= d
        )
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


def _json(value: Any) -> dict[str, Any]:
    """A JSON column read through plain SQL: a dict on PostgreSQL, a string on SQLite."""
    if isinstance(value, str):
        return json.loads(value)
    return value or {}


def warnings(session: Session, year: int | None) -> dict[str, Any]:
    where = "WHERE year = :y" if year else ""
    current = [
        dict(r._mapping)
        for r in session.execute(
            text(
                f"SELECT province, year, source_fund, level, version, as_of_day, evidence "
                f"FROM reporting_level {where} ORDER BY province, source_fund"
            ),
            {"y": year},
        )
    ]
    history = [
        dict(r._mapping)
        for r in session.execute(
            text(
                "SELECT province, year, source_fund, level, previous_level, as_of_day,"
                f" evaluated_at "
                f"FROM reporting_level_history {where} ORDER BY seq"
            ),
            {"y": year},
        )
    ]
    for row in current + history:
        row["as_of"] = date.fromordinal(row.pop("as_of_day")).isoformat()
        if "evaluated_at" in row:
            at = row["evaluated_at"]
            row["evaluated_at"] = at.isoformat() if hasattr(at, "isoformat") else str(at)
        unit = province_on(row["province"], date(row["year"], 1, 1))
        row["province_name"] = unit.name if unit else None
    return {"current": current, "history": history}


def warning_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        row | {"evidence": json.dumps(_json(row["evidence"]), ensure_ascii=False)}
        for row in report["current"]
    ]


def as_csv(rows: list[dict[str, Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel shows Vietnamese names as they are."""
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def province_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for item in report["items"]:
        flat = {k: v for k, v in item.items() if k != "proposals_by_state"}
        for state in (
            "in_appraisal",
            "approved",
            "contracted",
            "in_progress",
            "accepted",
            "settled",
            "rejected",
            "cancelled",
        ):
            flat[f"proposals_{state}"] = item["proposals_by_state"].get(state, 0)
        rows.append(flat)
    return rows


def region_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(section: str, item: str, value: Any, compare: Any = None, note: Any = None) -> None:
        rows.append(
            {"section": section, "item": item, "value": value, "compare": compare, "note": note}
        )

    for f in report["funding"]:
        add(
            "funding",
            f["source_fund"],
            f["amount_vnd"],
            f["previous_year_vnd"],
            f["change_percent"],
        )
    lp = report["provinces_with_local_plan"]
    add("local plans", "provinces with an approved local plan", lp["approved"], lp["of"])
    for o in report["outputs"]:
        add("outputs", o["label"], o["achieved"], o["target"], o["share_percent"])
    d = report["disbursement"]
    add("disbursement", "rate", d["rate"], d["expected_rate"])
    for p in report["lagging_provinces"]:
        add("lagging provinces", p["province_name"], p["level"], p["rate"], p["source_fund"])
    return rows


__all__ = ["ProvinceFigures"]
