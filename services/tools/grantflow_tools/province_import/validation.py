"""Each row into its lifecycle event, or the reason it is refused.

A row is refused when a cell has the wrong kind of value, when its event breaks the event's
JSON Schema (the contract the registry applies), when its province did not exist on the
import's date, or when it contradicts an earlier row of the file (the same record with other
values; a tax code given to two beneficiaries). Event ids are a hash of the event's type and
data, so the same row imported again is the same event, which the registry's inbox ignores.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from grantflow.contract import contract
from grantflow.errors import Refused
from grantflow.reference import province
from grantflow_tools.province_import.reading import Row, as_text


@dataclass(frozen=True)
class Refusal:
    sheet: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.sheet}, line {self.line}: {self.reason}"


def data_of(row: Row) -> dict[str, Any]:
    """The event's data from the row's cells; Refused('bad_cell') naming the column."""
    sheet, data = row.sheet, {}
    for column, value in row.cells.items():
        if column in sheet.integers:
            data[column] = _integer(column, value)
        elif column in sheet.dates:
            data[column] = _date(column, value)
        elif column == "tax_code" and not isinstance(value, str):
            raise Refused(
                "bad_cell", "tax_code must be typed as text (a number loses its leading zeros)"
            )
        else:
            data[column] = as_text(value)
    return data


def _integer(column: str, value: Any) -> int:
    if isinstance(value, bool):
        raise Refused("bad_cell", f"{column} must be a whole number, not {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise Refused("bad_cell", f"{column} must be a whole number, not {value!r}")


def _date(column: str, value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise Refused("bad_cell", f"{column} must be a date YYYY-MM-DD, not {value!r}") from None


def event_of(row: Row, source: str, as_of: date) -> dict[str, Any]:
    """The row's CloudEvent, checked against its schema; Refused with the reason."""
    data = data_of(row)
    kind = row.sheet.event_type
    digest = hashlib.sha256(
        json.dumps([kind, source, data], sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    event: dict[str, Any] = {
        "specversion": "1.0",
        "id": f"import-{digest[:40]}",
        "source": source,
        "type": kind,
        "time": f"{as_of.isoformat()}T00:00:00+07:00",
        "datacontenttype": "application/json",
        "data": data,
    }
    key = [str(data.get(k, "")) for k in row.sheet.key]
    event["subject"] = ":".join(key)
    contract().parse(json.dumps(event, ensure_ascii=False), (kind,))
    if "province" in data and province(data["province"], as_of) is None:
        raise Refused("unknown_province", f"no province has code {data['province']} on {as_of}")
    return event


class FileCheck:
    """What a row may not contradict: the rows of the file before it."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, ...], tuple[int, str]] = {}
        self.tax_codes: dict[str, tuple[int, str]] = {}

    def check(self, row: Row, event: dict[str, Any]) -> bool:
        """True for a new record, False for a repeat of an earlier identical row."""
        data = event["data"]
        key = (row.sheet.name, *(str(data[k]) for k in row.sheet.key))
        seen = self.records.get(key)
        if seen is not None:
            if seen[1] != event["id"]:
                raise Refused(
                    "contradicts_file",
                    f"{'/'.join(key[1:])} is also on line {seen[0]} with other values",
                )
            return False
        tax_code = data.get("tax_code")
        if tax_code:
            owner = self.tax_codes.get(tax_code)
            if owner is not None and owner[1] != data["beneficiary_id"]:
                raise Refused(
                    "contradicts_file",
                    f"tax code {tax_code} is also beneficiary {owner[1]} on line {owner[0]}",
                )
            self.tax_codes[tax_code] = (row.line, data["beneficiary_id"])
        self.records[key] = (row.line, event["id"])
        return True
