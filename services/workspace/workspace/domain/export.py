"""Tables as finance staff export them: Vietnamese headers, amounts as integers of dong,
and any text a spreadsheet would take for a formula neutralised."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    key: str
    vi: str
    en: str
    kind: str = "text"  # text, vnd, rate, date, int

    def header(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi


@dataclass
class Table:
    """What a page shows as a table, and exactly what its CSV/XLSX exports hold."""

    name: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)

    def cells(self) -> list[list[Any]]:
        """Rows of export cells: money as int, rates as a number, text made safe."""
        return [[export_value(c, row.get(c.key)) for c in self.columns] for row in self.rows]


def export_value(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.kind in ("vnd", "int"):
        return int(value)
    if column.kind == "rate":
        return round(float(value), 6)
    return neutralise(str(value))


def neutralise(text: str) -> str:
    """`=1+1` becomes `'=1+1`: a spreadsheet shows it and does not compute it."""
    return "'" + text if text.startswith(FORMULA_START) else text
