"""The regional report of any region and period; for the 2016 southern region, beside the
conference report's own figures."""

from __future__ import annotations

from typing import Any

from grantflow.reference import conference_2016, region_names
from workspace.adapters.services import ServiceApis
from workspace.adapters.session import Session
from workspace.errors import BadInput, NotFound
from workspace.views.i18n import region_name, table


def region_page(
    apis: ServiceApis, session: Session, region: str, period: str, lang: str
) -> dict[str, Any]:
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
        comparison = [
            {
                "figure": row["figure"],
                "report": row["report"],
                "computed": row["grantflow"],
                "matches": "✓" if row.get("matches") else "✗",
            }
            for row in conference_2016.compare(report)
        ]
    return {
        "report": report,
        "region_name": region_name(region, lang),
        "regions": sorted(((r, region_name(r, lang)) for r in region_names()), key=_by_name),
        "tables": {
            "funding": table("funding", report["funding"]),
            "outputs": table("outputs", report["outputs"], "region_outputs"),
            "lagging": table("lagging", report["lagging_provinces"], "lagging_provinces"),
            "comparison": table("comparison", comparison),
        },
    }


def _by_name(pair: tuple[str, str | None]) -> str:
    return pair[1] or pair[0]
