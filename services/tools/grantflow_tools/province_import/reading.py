"""Rows of a province's spreadsheet: an .xlsx workbook (openpyxl) or one .csv file.

A row comes as (sheet, line, {column: cell}) with its line number as the spreadsheet shows
it (the header is line 1). Cells are kept as the file has them (text, int, float, date);
`cells` turns them into the event's values.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from grantflow_tools.province_import.template import SHEETS, Sheet


@dataclass(frozen=True)
class Row:
    sheet: Sheet
    line: int
    cells: dict[str, Any]


class NotATemplate(ValueError):
    """The file is not one the import reads (a sheet or column it does not know)."""


def read_rows(path: Path, sheet_of_csv: str | None = None) -> list[Row]:
    """Every non-empty row of the file; NotATemplate for an unknown sheet or column."""
    if path.suffix.lower() == ".xlsx":
        return list(_xlsx(path))
    if path.suffix.lower() == ".csv":
        name = sheet_of_csv or path.stem
        if name not in SHEETS:
            raise NotATemplate(
                f"{path.name}: say which sheet the CSV holds (--sheet {'|'.join(SHEETS)}), "
                "or name the file after it (beneficiaries.csv)"
            )
        with path.open(newline="", encoding="utf-8-sig") as f:
            return list(_rows(SHEETS[name], csv.reader(f), path.name))
    raise NotATemplate(f"{path.name}: the import reads .xlsx or .csv files")


def _xlsx(path: Path) -> Iterator[Row]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        unknown = [n for n in book.sheetnames if n not in SHEETS]
        if unknown:
            raise NotATemplate(
                f"{path.name}: unknown sheet(s) {', '.join(unknown)}; the template has "
                f"{', '.join(SHEETS)}"
            )
        for name in book.sheetnames:
            yield from _rows(SHEETS[name], book[name].iter_rows(values_only=True), name)
    finally:
        book.close()


def _rows(sheet: Sheet, rows: Any, where: str) -> Iterator[Row]:
    header: list[str] | None = None
    for line, values in enumerate(rows, 1):
        if header is None:
            header = [str(v).strip() if v is not None else "" for v in values]
            unknown = [h for h in header if h and h not in sheet.columns]
            missing = [c for c in sheet.required if c not in header]
            if unknown or missing:
                raise NotATemplate(
                    f"{where}: the header of sheet {sheet.name} must name "
                    f"{', '.join(sheet.columns)}"
                    + (f"; unknown: {', '.join(unknown)}" if unknown else "")
                    + (f"; missing: {', '.join(missing)}" if missing else "")
                )
            continue
        cells = {h: _clean(v) for h, v in zip(header, values, strict=False) if h}
        if any(v is not None for v in cells.values()):
            yield Row(sheet, line, {k: v for k, v in cells.items() if v is not None})


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, datetime):
        return value.date()
    return value


def as_text(value: Any) -> str:
    """A cell as the text the contract wants; a float by its shortest decimal form."""
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
