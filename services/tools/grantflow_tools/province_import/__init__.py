"""`grantflow import FILE.xlsx|csv`: a province's spreadsheet into registry lifecycle events.

Every row is validated first (`validation`); if any is refused, the report lists each refused
row with its sheet, line and reason and nothing is published. Otherwise the events go to
`grantflow.lifecycle` with confirms (`grantflow_tools.publish`), beneficiaries first. Event
ids are a hash of each row's content, so importing the same file again changes nothing.

- `template`: the sheets and their columns (the README's import template);
- `reading`: rows from .xlsx (openpyxl) or .csv;
- `validation`: each row's event, or why it is refused.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from tqdm import tqdm

from grantflow.errors import Refused
from grantflow_tools.province_import.reading import NotATemplate, read_rows
from grantflow_tools.province_import.template import SHEETS
from grantflow_tools.province_import.validation import FileCheck, Refusal, event_of

__all__ = ["Checked", "NotATemplate", "check_file", "import_file"]


@dataclass
class Checked:
    events: list[dict[str, Any]] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    rows: int = 0


def check_file(
    path: Path, source: str, as_of: date, sheet: str | None = None, progress: bool = False
) -> Checked:
    """Every row of the file, validated; the events in publishing order."""
    rows = read_rows(path, sheet)
    checked, seen = Checked(rows=len(rows)), FileCheck()
    order = list(SHEETS)
    rows.sort(key=lambda r: (order.index(r.sheet.name), r.line))
    for row in tqdm(rows, disable=not progress, unit="row", desc="checking"):
        try:
            event = event_of(row, source, as_of)
            if seen.check(row, event):
                checked.events.append(event)
        except Refused as refused:
            checked.refused.append(Refusal(row.sheet.name, row.line, refused.detail))
    return checked


def import_file(
    path: str, source: str, as_of: date, sheet: str | None = None, progress: bool = True
) -> int:
    """The command: 0 when every row was published, 1 when rows were refused (none sent)."""
    from grantflow.config import settings
    from grantflow_tools.publish import publish_events

    checked = check_file(Path(path), source, as_of, sheet, progress)
    if checked.refused:
        print(f"{len(checked.refused)} of {checked.rows} rows refused; nothing imported:")
        for refusal in checked.refused:
            print(f"  {refusal}")
        return 1
    cfg = settings()
    unroutable = publish_events(checked.events, cfg.amqp_uri, cfg.lifecycle_exchange, progress)
    print(f"imported {checked.rows} rows as {len(checked.events)} events", file=sys.stderr)
    return 1 if unroutable else 0
