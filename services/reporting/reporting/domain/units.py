"""Which unit a stored province code stands for on a report's date, across the merger of
01/07/2025 (63 provinces became 34).

Read models keep the code an event carried. A report for a date before the merger reads the
codes as they are, under the 63's names; from the merger on, every code is read as the unit
it became (`successor`), so a merged province's figures are the sum of its predecessors'. The
mapping is a function: each of the 34 codes was one of the 63 and maps to itself, so a row
filed before or after the merger lands on the same unit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import cache

from grantflow.reference import province, provinces_on, successor

MERGER = date(2025, 7, 1)


@cache
def unit_code(code: str, on: date) -> str:
    """The code on `on` of the unit `code` stands for: `unit_code("74", date(2025, 9, 30))`
    is "79" (Bình Dương became part of Hồ Chí Minh); before the merger, `code` itself."""
    if on < MERGER or province(code, on) is not None:
        return code
    try:
        return successor(code)
    except KeyError:
        return code


def stored_codes(units: Iterable[str], on: date) -> list[str]:
    """Every code whose unit on `on` is one of `units` (the units and their predecessors)."""
    wanted = set(units)
    before = {p.code for p in provinces_on(date(2025, 6, 30))} if on >= MERGER else set()
    return sorted(wanted | {code for code in before if unit_code(code, on) in wanted})
