"""The overview: every visible province's figures, the chart, the grid and totals by region."""

from __future__ import annotations

from typing import Any

from grantflow import formatting
from grantflow.reference import provinces as reference
from workspace.adapters.services import ServiceApis
from workspace.adapters.session import Session
from workspace.domain.export import Column, Table
from workspace.domain.figures import grand_total, region_totals, with_regional_average
from workspace.domain.filters import Filters
from workspace.views.chart import rate_bars
from workspace.views.i18n import word

PROVINCE_COLUMNS = [
    Column("province", "Mã tỉnh", "Code"),
    Column("province_name", "Tỉnh, thành phố", "Province"),
    Column("region", "Vùng", "Region"),
    Column("allocated_vnd", "Kế hoạch vốn (đồng)", "Allocated (VND)", "vnd"),
    Column("committed_vnd", "Đã cam kết (đồng)", "Committed (VND)", "vnd"),
    Column("disbursed_vnd", "Đã giải ngân (đồng)", "Disbursed (VND)", "vnd"),
    Column("rate", "Tỷ lệ giải ngân", "Rate", "rate"),
    Column("expected_rate", "Tỷ lệ kỳ vọng", "Expected", "rate"),
    Column("regional_average", "Bình quân vùng", "Regional average", "rate"),
    Column("level", "Mức cảnh báo", "Level", "level"),
    Column("lagging_proposals", "Đề án chậm", "Lagging proposals", "int"),
]
REGION_COLUMNS = [
    Column("region", "Vùng", "Region"),
    Column("provinces", "Số tỉnh", "Provinces", "int"),
    Column("allocated_vnd", "Kế hoạch vốn (đồng)", "Allocated (VND)", "vnd"),
    Column("committed_vnd", "Đã cam kết (đồng)", "Committed (VND)", "vnd"),
    Column("disbursed_vnd", "Đã giải ngân (đồng)", "Disbursed (VND)", "vnd"),
    Column("rate", "Tỷ lệ giải ngân", "Rate", "rate"),
    Column("lagging_proposals", "Đề án chậm", "Lagging proposals", "int"),
]


def province_rows(apis: ServiceApis, session: Session, f: Filters) -> list[dict[str, Any]]:
    """The report's rows the visitor may see: the reporting service's province report for the
    central office, finance and auditors; the disbursement rates of their own provinces for a
    province officer (who may not read the all-province report)."""
    if session.all_provinces:
        rows = apis.get("reporting", "/api/v1/reports/provinces", session.token, **f.query)
        items = rows["items"]
    else:
        rates = apis.get("disbursement", "/api/v1/disbursement-rates", session.token, **f.query)
        items = []
        for row in rates["items"]:
            unit = reference.province(row["province"], f.as_of)
            items.append(
                row
                | {
                    "region": unit.region if unit else None,
                    "expected_rate": None,
                    "level": None,
                    "lagging_proposals": None,
                }
            )
    if f.region:
        items = [r for r in items if r.get("region") == f.region]
    return with_regional_average(sorted(items, key=lambda r: r["province"]))


def overview(apis: ServiceApis, session: Session, f: Filters, lang: str) -> dict[str, Any]:
    rows = province_rows(apis, session, f)
    for row in rows:
        row["rate_text"] = formatting.percent(row.get("rate"), lang)
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
    return {
        "rows": rows,
        "chart": chart,
        "total": grand_total(rows),
        "grid": grid,
        "regions": sorted({p.region for p in reference.provinces_on(f.as_of)}),
        "tables": {
            "provinces": Table("provinces", PROVINCE_COLUMNS, rows),
            "regions": Table("regions", REGION_COLUMNS, region_totals(rows)),
        },
    }
