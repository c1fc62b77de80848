"""The overview: every visible province's figures, the chart, the grid and totals by region."""

from __future__ import annotations

from typing import Any

from grantflow import formatting
from grantflow.reference import provinces as reference
from workspace.adapters.services import ServiceApis
from workspace.adapters.session import Session
from workspace.domain.figures import grand_total, region_totals
from workspace.domain.filters import Filters
from workspace.views.chart import rate_bars
from workspace.views.i18n import region_name, table, word


def province_rows(apis: ServiceApis, session: Session, f: Filters) -> list[dict[str, Any]]:
    """The reporting service's province report, as far as the visitor may see it: every row
    for the central office, finance and auditors, their own provinces' for a province officer
    (the service cuts it; each row keeps its whole region's average)."""
    rows = apis.get("reporting", "/api/v1/reports/provinces", session.token, **f.query)
    items = rows["items"]
    if f.region:
        items = [r for r in items if r.get("region") == f.region]
    return sorted(items, key=lambda r: r["province"])


def overview(apis: ServiceApis, session: Session, f: Filters, lang: str) -> dict[str, Any]:
    rows = province_rows(apis, session, f)
    for row in rows:
        row["rate_text"] = formatting.percent(row.get("rate"), lang)
        row["region_name"] = region_name(row.get("region"), lang)
    levels = {r["province"]: r.get("level") or "unknown" for r in rows}
    grid = [
        {"code": p.code, "name": p.name, "level": levels.get(p.code), "region": p.region}
        for p in reference.provinces_on(f.as_of)
        if session.all_provinces or p.code in session.provinces
    ]
    chart = rate_bars(
        rows,
        word("chart_rate", lang),
        word("chart_rate_desc", lang),
        (word("rate", lang), word("expected", lang)),
    )
    totals = [t | {"region_name": region_name(t["region"], lang)} for t in region_totals(rows)]
    regions = sorted({p.region for p in reference.provinces_on(f.as_of)})
    return {
        "rows": rows,
        "chart": chart,
        "total": grand_total(rows),
        "grid": grid,
        "regions": [(r, region_name(r, lang)) for r in regions],
        "tables": {"provinces": table("provinces", rows), "regions": table("regions", totals)},
    }
