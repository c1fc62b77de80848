"""The reports as CSV rows, and CSV as Excel reads it."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from reporting.views.warnings import as_dict


def warning_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        row | {"evidence": json.dumps(as_dict(row["evidence"]), ensure_ascii=False)}
        for row in report["current"]
    ]


# A cell a spreadsheet would read as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would take for a formula, behind a `'`; numbers as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def as_csv(rows: list[dict[str, Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel shows Vietnamese names as they are; every text
    cell through `safe_cell`."""
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows({k: safe_cell(v) for k, v in row.items()} for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def province_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for item in report["items"]:
        skip = ("proposals_by_state", "forecast", "data_quality")
        flat = {k: v for k, v in item.items() if k not in skip}
        flat["drivers"] = "+".join(item["drivers"])
        flat |= _forecast_columns(item.get("forecast"))
        flat |= {f"data_quality_{k}": v for k, v in (item.get("data_quality") or {}).items()}
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


def _forecast_columns(forecast: dict[str, Any] | None) -> dict[str, Any]:
    """The forecast as flat columns: by 31 December and by the settlement deadline."""
    out: dict[str, Any] = {}
    for by in ("year_end", "settlement"):
        made = (forecast or {}).get(by) or {}
        for key in ("expected_vnd", "low_vnd", "high_vnd", "rate"):
            out[f"forecast_{by}_{key}"] = made.get(key)
    out["forecast_level"] = (forecast or {}).get("level")
    return out


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
        add(
            "lagging provinces",
            p["province_name"],
            p["level"],
            p["rate"],
            f"{p['source_fund']}: {'+'.join(p['drivers'])}",
        )
    return rows
