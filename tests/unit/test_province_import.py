"""The import template read row by row: every refused row reported with its line and reason,
nothing kept from a file with a refused row, the same ids for the same rows."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from grantflow_tools.province_import import NotATemplate, check_file

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "contracts/examples/import/registry-74.xlsx"
ON = date(2016, 6, 30)
SOURCE = "urn:gso:74:khuyencong-center"


def workbook(path: Path, sheets: dict[str, list[tuple]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    book.save(path)
    return path


BENEFICIARY_HEADER = ("beneficiary_id", "kind", "name", "province", "tax_code")


def test_the_shipped_example_is_accepted_whole_with_ids_that_do_not_change():
    first = check_file(EXAMPLE, SOURCE, ON)
    assert first.refused == []
    assert (first.rows, len(first.events)) == (11, 11)
    types = [e["type"] for e in first.events]
    assert types[:4] == ["beneficiary.registered"] * 4  # beneficiaries go first
    assert check_file(EXAMPLE, SOURCE, ON).events == first.events
    csv = check_file(EXAMPLE.with_name("beneficiaries.csv"), SOURCE, ON)
    assert [e["id"] for e in csv.events] == [e["id"] for e in first.events[:4]]


def test_every_bad_row_is_reported_with_its_sheet_line_and_reason(tmp_path):
    path = workbook(
        tmp_path / "bad.xlsx",
        {
            "beneficiaries": [
                BENEFICIARY_HEADER,
                ("MST-3700000001", "enterprise", "Công ty A", "74", "3700000001"),
                ("MST-3700000002", "enterprise", "Công ty B", "74", None),  # no tax code
                ("MST-3700000003", "enterprise", "Công ty C", "74", 3700000003),  # a number
                ("MST-3700000004", "enterprise", "Công ty D", "99", "3700000004"),
                ("MST-OTHER", "enterprise", "Công ty E", "74", "3700000001"),  # A's tax code
                ("MST-3700000001", "enterprise", "Công ty A", "74", "3700000001"),  # repeat
                ("MST-3700000001", "enterprise", "Công ty A2", "74", "3700000001"),
            ],
            "clusters": [
                ("cluster_id", "name", "province", "area_ha", "status"),
                ("CCN-1", "Cụm 1", "74", 12.5, "operating"),  # a number cell: 12.5 ha
                ("CCN-2", "Cụm 2", "74", "12.345", "operating"),
                ("CCN-3", "Cụm 3", "74", "-3", "planned"),
            ],
            "products": [
                (
                    "product_id",
                    "name",
                    "beneficiary_id",
                    "province",
                    "level",
                    "year",
                    "decision_no",
                ),
                ("SP-1", "Sản phẩm", "MST-3700000001", "74", "commune", 2016, "1/QĐ"),
                ("SP-2", "Sản phẩm", "MST-3700000001", "74", "district", "năm 2016", "1/QĐ"),
            ],
        },
    )
    checked = check_file(path, SOURCE, ON)
    refused = {(r.sheet, r.line): r.reason for r in checked.refused}
    assert sorted(refused) == [
        ("beneficiaries", 3),
        ("beneficiaries", 4),
        ("beneficiaries", 5),
        ("beneficiaries", 6),
        ("beneficiaries", 8),
        ("clusters", 3),
        ("clusters", 4),
        ("products", 2),
        ("products", 3),
    ]
    assert "tax_code" in refused[("beneficiaries", 3)]
    assert "leading zeros" in refused[("beneficiaries", 4)]
    assert "no province has code 99" in refused[("beneficiaries", 5)]
    assert "also beneficiary MST-3700000001 on line 2" in refused[("beneficiaries", 6)]
    assert "also on line 2 with other values" in refused[("beneficiaries", 8)]
    assert "area_ha" in refused[("clusters", 3)]
    assert "level" in refused[("products", 2)]
    assert "year must be a whole number" in refused[("products", 3)]
    cluster = next(e for e in checked.events if e["type"] == "cluster.registered")
    assert cluster["data"]["area_ha"] == "12.5"


def test_a_file_that_is_not_the_template_is_refused_as_a_whole(tmp_path):
    with pytest.raises(NotATemplate, match="unknown sheet"):
        check_file(workbook(tmp_path / "a.xlsx", {"Sheet9": [("x",)]}), SOURCE, ON)
    missing = workbook(tmp_path / "b.xlsx", {"clusters": [("cluster_id", "name")]})
    with pytest.raises(NotATemplate, match="missing: province, area_ha, status"):
        check_file(missing, SOURCE, ON)
    other = tmp_path / "list.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(NotATemplate, match="--sheet"):
        check_file(other, SOURCE, ON)
