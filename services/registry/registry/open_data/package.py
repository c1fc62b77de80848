"""The package's files as bytes: the CSV tables, `datapackage.json` and the IATI XML.

Nothing in them depends on when they were made (no timestamps; rows in a fixed order;
`\\n` line ends), so unchanged data gives byte-identical files.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from registry.open_data import iati, tables

F = tuple[str, str, str]  # (name, Frictionless type, description)
PROVINCE: F = ("province", "string", "Two-digit GSO code of the province (74 = Bình Dương)")
PROVINCE_NAME: F = ("province_name", "string", "The province's name in that year")
YEAR: F = ("year", "integer", "Plan year")
FUND: F = ("source_fund", "string", "national (KCQG) or local (KCĐP)")
ACTIVITY: F = ("activity", "string", "Activity code of Decree 45/2012/NĐ-CP, Art. 4")
PROPOSAL: F = ("proposal_id", "string", "The proposal (đề án khuyến công)")


def vnd(name: str, what: str) -> F:
    return (name, "integer", f"{what}, in Vietnamese dong")


TABLES: dict[str, tuple[str, Callable[[Session], list[dict[str, Any]]], list[F], list[str]]] = {
    "proposals": (
        "Every proposal: where, when, which fund and activity, its state",
        tables.proposals,
        [
            PROPOSAL,
            YEAR,
            PROVINCE,
            PROVINCE_NAME,
            FUND,
            ACTIVITY,
            ("title", "string", "Title of the proposal"),
            ("state", "string", "Lifecycle state: submitted ... settled, rejected, cancelled"),
            ("planned_start", "date", "Planned start"),
            ("planned_end", "date", "Planned end"),
            vnd("requested_vnd", "Support requested"),
        ],
        ["proposal_id"],
    ),
    "awards": (
        "Approved support per proposal (phê duyệt), with the contract and settlement",
        tables.awards,
        [
            PROPOSAL,
            YEAR,
            PROVINCE,
            FUND,
            ACTIVITY,
            vnd("approved_vnd", "Support approved"),
            vnd("contract_vnd", "Amount of the signed contract"),
            vnd("settled_vnd", "Amount settled (quyết toán)"),
        ],
        ["proposal_id"],
    ),
    "payments": (
        "Support approved and paid (giải ngân) by province, year and fund",
        tables.payments,
        [
            YEAR,
            PROVINCE,
            PROVINCE_NAME,
            FUND,
            ("proposals", "integer", "Number of proposals"),
            vnd("approved_vnd", "Support approved"),
            vnd("paid_vnd", "Advances and payments made"),
        ],
        ["year", "province", "source_fund"],
    ),
    "products": (
        "Typical rural industrial products (sản phẩm CNNT tiêu biểu) and their awards",
        tables.products,
        [
            ("product_id", "string", "The product"),
            ("name", "string", "The product's name"),
            YEAR,
            ("level", "string", "Level of the award: district, province, region, national"),
            PROVINCE,
            ("decision_no", "string", "The awarding decision"),
            (
                "establishment",
                "string",
                "The producing firm, cooperative or craft village (empty for a household business)",
            ),
            ("establishment_tax_code", "string", "Its tax code (enterprises and cooperatives)"),
        ],
        ["product_id", "year", "level"],
    ),
    "clusters": (
        "Industrial clusters (cụm công nghiệp)",
        tables.clusters,
        [
            ("cluster_id", "string", "The cluster"),
            ("name", "string", "The cluster's name"),
            PROVINCE,
            ("area_ha", "number", "Area in hectares (two decimals at most)"),
            ("status", "string", "planned or operating"),
            ("occupancy_percent", "integer", "Share of the land let, whole percent"),
        ],
        ["cluster_id"],
    ),
}
FILES = ("datapackage.json", *(f"{name}.csv" for name in TABLES), iati.FILE)


def build(session: Session) -> dict[str, bytes]:
    """Every file of the package, by file name (the IATI XML only when it has an activity)."""
    files = {}
    for name, (_, rows_of, fields, _) in TABLES.items():
        files[f"{name}.csv"] = _csv([f[0] for f in fields], rows_of(session))
    files["datapackage.json"] = _descriptor()
    xml = iati.activities(tables.proposals(session), tables.awards(session))
    if xml is not None:
        files[iati.FILE] = xml
    return files


def _csv(columns: list[str], rows: list[dict[str, Any]]) -> bytes:
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
            "title": title,
            "schema": {
                "fields": [
                    {"name": n, "type": t, "description": d}
                    | ({"constraints": {"required": True}} if n in key else {})
                    for n, t, d in fields
                ],
                "primaryKey": key,
            },
        }
        for name, (title, _, fields, key) in TABLES.items()
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
