"""The regional report of any region and period; for the 2016 southern region, beside the
conference report's own figures."""

from __future__ import annotations

from typing import Any

from grantflow.reference import conference_2016
from workspace.adapters.services import ServiceApis
from workspace.adapters.session import Session
from workspace.domain.export import Column, Table
from workspace.errors import BadInput, NotFound

FUNDING_COLUMNS = [
    Column("source_fund", "Nguồn vốn", "Fund"),
    Column("amount_vnd", "Kinh phí (đồng)", "Amount (VND)", "vnd"),
    Column("previous_year_vnd", "Năm trước (đồng)", "Previous year (VND)", "vnd"),
    Column("change_percent", "Thay đổi (%)", "Change (%)"),
]
OUTPUT_COLUMNS = [
    Column("label", "Chỉ tiêu", "Measure"),
    Column("achieved", "Đạt được", "Achieved", "int"),
    Column("target", "Kế hoạch", "Target", "int"),
    Column("share_percent", "Tỷ lệ đạt (%)", "Share (%)"),
]
LAGGING_COLUMNS = [
    Column("province", "Mã tỉnh", "Code"),
    Column("province_name", "Tỉnh, thành phố", "Province"),
    Column("source_fund", "Nguồn vốn", "Fund"),
    Column("level", "Mức cảnh báo", "Level", "level"),
    Column("rate", "Tỷ lệ giải ngân", "Rate", "rate"),
    Column("lagging_proposals", "Đề án chậm", "Lagging proposals", "int"),
]
COMPARISON_COLUMNS = [
    Column("figure", "Chỉ tiêu", "Figure"),
    Column("report", "Báo cáo ghi", "The report says"),
    Column("computed", "Hệ thống tính", "grantflow has"),
    Column("matches", "Khớp", "Matches"),
]


def region_page(apis: ServiceApis, session: Session, region: str, period: str) -> dict[str, Any]:
    if not session.all_provinces:
        raise NotFound("the regional report is for the central office, finance and auditors")
    try:
        report = apis.get(
            "reporting", f"/api/v1/reports/regions/{region}", session.token, period=period
        )
    except BadInput as exc:
        raise NotFound(exc.detail) from None
    comparison = []
    if region == conference_2016.REGION and period == "2016-H1":
        comparison = [_comparison_row(r) for r in conference_2016.compare(report)]
    return {
        "report": report,
        "tables": {
            "funding": Table("funding", FUNDING_COLUMNS, report["funding"]),
            "outputs": Table("outputs", OUTPUT_COLUMNS, report["outputs"]),
            "lagging": Table("lagging", LAGGING_COLUMNS, report["lagging_provinces"]),
            "comparison": Table("comparison", COMPARISON_COLUMNS, comparison),
        },
    }


def _comparison_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "figure": row["figure"],
        "report": row["report"],
        "computed": row["grantflow"],
        "matches": "✓" if row.get("matches") else "✗",
    }
