"""A `Table` as a CSV (UTF-8 with BOM, so Excel reads Vietnamese) or an XLSX file."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from werkzeug.wrappers import Response

from workspace.domain.export import Table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_bytes(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.vi for c in table.columns])
    for row in table.cells():
        writer.writerow(["" if v is None else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(table: Table) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = table.name[:31]
    sheet.append([c.vi for c in table.columns])
    for row in table.cells():
        sheet.append(row)
    for n, column in enumerate(table.columns, start=1):
        letter = get_column_letter(n)
        sheet.column_dimensions[letter].width = max(12, len(column.vi) + 2)
        if column.kind == "vnd":
            for cell in sheet[letter][1:]:
                cell.number_format = "#,##0"
        if column.kind == "rate":
            for cell in sheet[letter][1:]:
                cell.number_format = "0.0%"
        if column.kind == "text":
            for cell in sheet[letter][1:]:
                cell.data_type = "s"  # stored as text: never evaluated
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def download(table: Table, fmt: str, filename: str) -> Response:
    if fmt == "xlsx":
        body, mime = xlsx_bytes(table), XLSX
    else:
        body, mime = csv_bytes(table), "text/csv; charset=utf-8"
    response = Response(body, content_type=mime)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
