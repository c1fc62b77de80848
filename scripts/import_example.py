"""Writes the import template's example: contracts/examples/import/registry-74.xlsx and the
same beneficiaries as a CSV (one sheet a file). Run again after changing the template.

    .venv/bin/python scripts/import_example.py
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from openpyxl import Workbook

OUT = Path(__file__).resolve().parents[1] / "contracts/examples/import"

SHEETS = {
    "beneficiaries": [
        ("beneficiary_id", "kind", "name", "province", "district", "tax_code", "representative"),
        (
            "MST-3700123456",
            "cooperative",
            "Hợp tác xã Sơn mài Tương Bình Hiệp",
            "74",
            "Thủ Dầu Một",
            "3700123456",
            "Nguyễn Văn A",
        ),
        (
            "MST-3700654321",
            "enterprise",
            "Công ty TNHH Gốm Minh Phát",
            "74",
            "Tân Uyên",
            "3700654321",
            None,
        ),
        (
            "HKD-74-0001",
            "household_business",
            "Cơ sở dệt may Đông Hòa",
            "74",
            "Dĩ An",
            None,
            "Trần Thị B",
        ),
        (
            "LN-74-TBH",
            "craft_village",
            "Làng nghề sơn mài Tương Bình Hiệp",
            "74",
            "Thủ Dầu Một",
            None,
            None,
        ),
    ],
    "recognitions": [
        ("beneficiary_id", "decision_no", "recognised_on"),
        ("LN-74-TBH", "1234/QĐ-UBND", date(2012, 5, 10)),
    ],
    "products": [
        ("product_id", "name", "beneficiary_id", "province", "level", "year", "decision_no"),
        (
            "SP-74-0001",
            "Tranh sơn mài Tương Bình Hiệp",
            "MST-3700123456",
            "74",
            "province",
            2015,
            "2210/QĐ-UBND",
        ),
        (
            "SP-74-0001",
            "Tranh sơn mài Tương Bình Hiệp",
            "MST-3700123456",
            "74",
            "region",
            2016,
            "45/QĐ-CNĐP",
        ),
    ],
    "clusters": [
        ("cluster_id", "name", "province", "area_ha", "status", "occupancy_percent"),
        ("CCN-74-TDH", "Cụm công nghiệp Tân Đông Hiệp", "74", "75.5", "operating", 82),
        ("CCN-74-UH", "Cụm công nghiệp Uyên Hưng", "74", "42", "planned", None),
    ],
    "collaborators": [
        ("province", "level", "count", "since"),
        ("74", "district", 9, date(2014, 5, 1)),
        ("74", "commune", 91, date(2015, 7, 1)),
    ],
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    book.remove(book.active)
    for name, rows in SHEETS.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    book.save(OUT / "registry-74.xlsx")
    with (OUT / "beneficiaries.csv").open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(
            [["" if v is None else v for v in r] for r in SHEETS["beneficiaries"]]
        )


if __name__ == "__main__":
    main()
