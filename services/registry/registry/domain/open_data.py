"""The open data package: what is public, as files that are the same bytes for the same data.

A Frictionless Data Package (`datapackage.json` describing every field, and CSV tables of
proposals, awards, payments by province and year, typical products and industrial clusters)
and IATI 2.03 activity XML for the national fund's proposals (`domain.iati`). Its rows are
read from the registry's own tables by `views.open_data` (its copy of support comes from the
proposals' and disbursement's events).

Public means: no person's name (representatives, household businesses' names), no tax code
of a household business, nothing that is not already in a decision or a plan.

Nothing in the files depends on when they were made (no timestamps; rows in a fixed order;
`\\n` line ends), so unchanged data gives byte-identical files.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from registry.domain import iati

Field = tuple[str, str, str]  # (name, Frictionless type, description)
Rows = list[dict[str, Any]]


def text(name: str, description: str) -> Field:
    return (name, "string", description)


def vnd(name: str, what: str) -> Field:
    return (name, "integer", f"{what}, in Vietnamese dong")


PROVINCE = text("province", "Two-digit GSO code of the province (74 = Bình Dương)")
PROVINCE_NAME = text("province_name", "The province's name in that year")
YEAR: Field = ("year", "integer", "Plan year")
FUND = text("source_fund", "national (KCQG) or local (KCĐP)")
ACTIVITY = text("activity", "Activity code of Decree 45/2012/NĐ-CP, Art. 4")
PROPOSAL = text("proposal_id", "The proposal (đề án khuyến công)")
APPROVED = vnd("approved_vnd", "Support approved")


@dataclass(frozen=True)
class Resource:
    """One CSV table of the package: its title, its fields in order, its primary key."""

    title: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]

    @property
    def columns(self) -> list[str]:
        return [name for name, _, _ in self.fields]


RESOURCES: dict[str, Resource] = {
    "proposals": Resource(
        "Every proposal: where, when, which fund and activity, its state",
        (
            *(PROPOSAL, YEAR, PROVINCE, PROVINCE_NAME, FUND, ACTIVITY),
            text("title", "Title of the proposal"),
            text("state", "Lifecycle state: submitted ... settled, rejected, cancelled"),
            ("planned_start", "date", "Planned start"),
            ("planned_end", "date", "Planned end"),
            vnd("requested_vnd", "Support requested"),
        ),
        ("proposal_id",),
    ),
    "awards": Resource(
        "Approved support per proposal (phê duyệt), with the contract and settlement",
        (
            *(PROPOSAL, YEAR, PROVINCE, FUND, ACTIVITY, APPROVED),
            vnd("contract_vnd", "Amount of the signed contract"),
            vnd("settled_vnd", "Amount settled (quyết toán)"),
        ),
        ("proposal_id",),
    ),
    "payments": Resource(
        "Support approved and paid (giải ngân) by province, year and fund",
        (
            *(YEAR, PROVINCE, PROVINCE_NAME, FUND),
            ("proposals", "integer", "Number of proposals"),
            APPROVED,
            vnd("paid_vnd", "Advances and payments made"),
        ),
        ("year", "province", "source_fund"),
    ),
    "products": Resource(
        "Typical rural industrial products (sản phẩm CNNT tiêu biểu) and their awards",
        (
            text("product_id", "The product"),
            text("name", "The product's name"),
            YEAR,
            text("level", "Level of the award: district, province, region, national"),
            PROVINCE,
            text("decision_no", "The awarding decision"),
            text(
                "establishment",
                "The producing firm, cooperative or craft village (empty for a household business)",
            ),
            text("establishment_tax_code", "Its tax code (enterprises and cooperatives)"),
        ),
        ("product_id", "year", "level"),
    ),
    "clusters": Resource(
        "Industrial clusters (cụm công nghiệp)",
        (
            *(text("cluster_id", "The cluster"), text("name", "The cluster's name"), PROVINCE),
            ("area_ha", "number", "Area in hectares (two decimals at most)"),
            text("status", "planned or operating"),
            ("occupancy_percent", "integer", "Share of the land let, whole percent"),
        ),
        ("cluster_id",),
    ),
}
FILES = ("datapackage.json", *(f"{name}.csv" for name in RESOURCES), iati.FILE)


def package(rows: dict[str, Rows]) -> dict[str, bytes]:
    """Every file of the package, by file name, from each resource's rows (the IATI XML only
    when it has an activity)."""
    files = {f"{name}.csv": _csv(r.columns, rows[name]) for name, r in RESOURCES.items()}
    files["datapackage.json"] = _descriptor()
    xml = iati.activities(rows["proposals"], rows["awards"])
    if xml is not None:
        files[iati.FILE] = xml
    return files


def _csv(columns: list[str], rows: Rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row[c] is None else row[c] for c in columns])
    return out.getvalue().encode("utf-8")


def _descriptor() -> bytes:
    resources = [
        {
            "name": name,
            "path": f"{name}.csv",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "title": r.title,
            "schema": {
                "fields": [
                    {"name": n, "type": t, "description": d}
                    | ({"constraints": {"required": True}} if n in r.key else {})
                    for n, t, d in r.fields
                ],
                "primaryKey": list(r.key),
            },
        }
        for name, r in RESOURCES.items()
    ]
    package = {
        "profile": "tabular-data-package",
        "name": "grantflow-khuyen-cong",
        "title": "Industrial promotion (khuyến công): proposals, awards, payments, typical "
        "products and industrial clusters",
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "resources": resources,
    }
    return (json.dumps(package, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
