"""A province: cumulative disbursement against the expected curve, plans by fund with their
versions, proposals by state, and the lagging ones with their reasons."""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

from eventlet.greenpool import GreenPool

from grantflow.reference import provinces as reference
from workspace.adapters.services import ServiceApis
from workspace.adapters.session import Session
from workspace.domain.filters import Filters, expected_share, month_ends
from workspace.errors import NotFound
from workspace.views.chart import cumulative_line
from workspace.views.i18n import region_name, table, word

EXPECTED_CURVE = "03-31:0.10,06-30:0.30,09-30:0.60,12-31:0.90"  # reporting's default curve
PAGE = 500
MOST_PROPOSALS = 2000  # listed on the page; the counts by state cover them all


def province_page(
    apis: ServiceApis, session: Session, code: str, f: Filters, lang: str
) -> dict[str, Any]:
    unit = reference.province(code, f.as_of)
    if unit is None or not (session.all_provinces or code in session.provinces):
        raise NotFound(f"no province {code} on {f.as_of}, or not yours")
    token, fund = session.token, f.fund
    pool = GreenPool(13)
    # Disbursed by each month's end up to the as-of date (the month it falls in ends on it);
    # the expected curve runs the whole year, on the plan in force on the as-of date.
    ends = month_ends(f.year)
    days = [min(end, f.as_of) for end in ends if end.replace(day=1) <= f.as_of]
    rates = pool.imap(
        lambda day: apis.get(
            "disbursement",
            "/api/v1/disbursement-rates",
            token,
            year=f.year,
            source_fund=fund,
            as_of=day.isoformat(),
        ),
        days,
    )
    plans = pool.spawn(apis.get, "disbursement", "/api/v1/plans", token, year=f.year, province=code)
    proposals = pool.spawn(_proposals, apis, token, code, f)
    warnings = pool.spawn(_reasons, apis, session, code, f)
    months: list[dict[str, Any]] = []
    allocated = 0
    for end, answer in itertools.zip_longest(ends, rates):
        if answer is not None:
            row = next((r for r in answer["items"] if r["province"] == code), None) or {}
            allocated = int(row.get("allocated_vnd") or 0)
        months.append(
            {
                "month": f"{end.month:02d}/{end.year}",
                "disbursed_vnd": int(row.get("disbursed_vnd") or 0) if answer else None,
                "expected_vnd": round(allocated * expected_share(EXPECTED_CURVE, end)),
            }
        )
    plan_rows = []
    for plan in plans.wait()["items"]:
        if fund and plan["source_fund"] != fund:
            continue
        for v in plan["versions"]:
            plan_rows.append(
                {
                    "source_fund": plan["source_fund"],
                    "version": v["version"],
                    "amount_vnd": v["amount_vnd"],
                    "decision_no": v.get("decision_no"),
                    "occurred_at": v.get("occurred_at"),
                    "previous_year_vnd": plan.get("previous_year_vnd"),
                    "change_percent": plan.get("change_percent"),
                }
            )
    items, total = proposals.wait()
    states = Counter(p["state"] for p in items)
    reasons = warnings.wait()
    chart = cumulative_line(
        [m["disbursed_vnd"] for m in months if m["disbursed_vnd"] is not None],
        [m["expected_vnd"] for m in months],
        word("cumulative", lang),
        word("cumulative_desc", lang),
        word("months", lang).split(),
    )
    return {
        "unit": unit,
        "region_name": region_name(unit.region, lang),
        "chart": chart,
        "months": months,
        "proposal_total": total,
        "tables": {
            "months": table("months", months),
            "plans": table("plans", plan_rows),
            "states": table(
                "states", [{"state": s, "count": n} for s, n in sorted(states.items())]
            ),
            "lagging": table("lagging", reasons),
            "proposals": table("proposals", items),
        },
    }


def _proposals(
    apis: ServiceApis, token: str, code: str, f: Filters
) -> tuple[list[dict[str, Any]], int]:
    items: list[dict[str, Any]] = []
    total = 0
    while len(items) < MOST_PROPOSALS:
        page = apis.get(
            "proposals",
            "/api/v1/proposals",
            token,
            province=code,
            year=f.year,
            source_fund=f.fund,
            limit=PAGE,
            offset=len(items),
        )
        items.extend(page["items"])
        total = page["total"]
        if not page["items"] or len(items) >= total:
            break
    return items, total


def _reasons(apis: ServiceApis, session: Session, code: str, f: Filters) -> list[dict[str, Any]]:
    answer = apis.get("reporting", "/api/v1/warnings", session.token, year=f.year, province=code)
    reasons = []
    for current in answer["current"]:
        if current["province"] != code or (f.fund and current["source_fund"] != f.fund):
            continue
        for reason in (current.get("evidence") or {}).get("reasons") or []:
            reasons.append(reason | {"source_fund": current["source_fund"]})
    return reasons
