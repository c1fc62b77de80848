"""Provinces and centrally-run cities by GSO code and date, with the 2025 old -> new mapping.

A code means nothing without a date: ``province("80", date(2016, 1, 1))`` is Long An and
``province("80", date(2026, 1, 1))`` is Tây Ninh. Data: ``data/provinces.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import pairwise
from types import MappingProxyType

from grantflow.reference._data import as_date, load

KINDS = frozenset({"province", "city"})


@dataclass(frozen=True, slots=True)
class Province:
    """One provincial-level unit over the dates it existed; ``valid_to`` is inclusive.

    ``Province("74", "Bình Dương", "province", "southeast", date(2008, 8, 1), date(2025, 6, 30))``
    """

    code: str
    name: str
    kind: str
    region: str
    valid_from: date
    valid_to: date | None

    def valid_on(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


@dataclass(frozen=True, slots=True)
class _Data:
    units: tuple[Province, ...]
    # One entry per reorganisation: (the date it took effect, old code -> new code).
    reorganisations: tuple[tuple[date, Mapping[str, str]], ...]


@cache
def gso_regions() -> frozenset[str]:
    """The keys of the six GSO socio-economic regions (``data/regions.yaml``)."""
    return frozenset(load("regions.yaml")["gso"])


@cache
def _data() -> _Data:
    units: list[Province] = []
    reorganisations: list[tuple[date, Mapping[str, str]]] = []
    for period in load("provinces.yaml")["periods"]:
        start = as_date(period["valid_from"], f"period {period['id']} valid_from")
        end = None if period["valid_to"] is None else as_date(period["valid_to"], "valid_to")
        mapping: dict[str, str] = {}
        for row in period["units"]:
            unit = Province(
                code=row["code"],
                name=row["name"],
                kind=row["kind"],
                region=row["region"],
                valid_from=as_date(row.get("valid_from", start), f"{row['code']} valid_from"),
                valid_to=as_date(row["valid_to"], row["code"]) if "valid_to" in row else end,
            )
            _check(unit)
            units.append(unit)
            for old in row.get("predecessors", ()):
                if old in mapping:
                    raise ValueError(f"provinces.yaml: {old!r} maps to two units in {start}")
                mapping[old] = unit.code
        if mapping:
            reorganisations.append((start, MappingProxyType(mapping)))
    _check_no_overlap(units)
    return _Data(tuple(units), tuple(reorganisations))


def _check(unit: Province) -> None:
    if not (len(unit.code) == 2 and unit.code.isdigit()):
        raise ValueError(f"provinces.yaml: bad code {unit.code!r}")
    if unit.kind not in KINDS:
        raise ValueError(f"provinces.yaml: {unit.code} has unknown kind {unit.kind!r}")
    if unit.region not in gso_regions():
        raise ValueError(f"provinces.yaml: {unit.code} has unknown region {unit.region!r}")


def _check_no_overlap(units: list[Province]) -> None:
    by_code: dict[str, list[Province]] = {}
    for unit in units:
        by_code.setdefault(unit.code, []).append(unit)
    for code, spans in by_code.items():
        spans.sort(key=lambda u: u.valid_from)
        for before, after in pairwise(spans):
            if before.valid_to is None or before.valid_to >= after.valid_from:
                raise ValueError(f"provinces.yaml: two units hold code {code} at once")


def province(code: str, on: date) -> Province | None:
    """The unit holding ``code`` on ``on``, or None: ``province("74", date(2016, 1, 1))``."""
    return next((u for u in _data().units if u.code == code and u.valid_on(on)), None)


def provinces_on(on: date) -> list[Province]:
    """All units in force on ``on``, by code: 63 in 2016, 34 in 2026, none before 2008-08-01."""
    return sorted((u for u in _data().units if u.valid_on(on)), key=lambda u: u.code)


def successor(code: str) -> str:
    """The code from 2025-07-01 that an older code's unit became: ``successor("74") == "79"``.

    Raises KeyError for a code that did not exist before the 2025 reorganisation.
    """
    _, mapping = _data().reorganisations[-1]
    return mapping[code]


def predecessors(new_code: str) -> list[str]:
    """The older codes merged into a unit of 2025-07-01: ``predecessors("80") == ["72", "80"]``."""
    _, mapping = _data().reorganisations[-1]
    return sorted(old for old, new in mapping.items() if new == new_code)


def carry_forward(code: str, as_of: date, on: date) -> str | None:
    """The code on ``on`` of the unit that held ``code`` on ``as_of`` (following mergers).

    ``carry_forward("74", date(2016, 1, 1), date(2026, 1, 1)) == "79"``. None when the unit
    did not exist on ``on`` (e.g. ``on`` before the data starts), and when going back across a
    merger, where one new unit has several old ones.
    """
    reorganisations = _data().reorganisations
    if province(code, as_of) is None or any(on < t <= as_of for t, _ in reorganisations):
        return None
    for took_effect, mapping in reorganisations:
        if as_of < took_effect <= on:
            code = mapping[code]
    return code if province(code, on) is not None else None


def code_on(code: str, on: date) -> str | None:
    """The code on ``on`` of the unit ``code`` names, following the mergers since it was in
    force: ``code_on("74", date(2025, 8, 1)) == "79"``, ``code_on("79", ...) == "79"``; None
    for a code that named no unit by ``on``. An event sent after the merger under an old code
    is read through this, not refused."""
    if province(code, on) is not None:
        return code
    for took_effect, _ in reversed(_data().reorganisations):
        if took_effect <= on:
            day_before = date.fromordinal(took_effect.toordinal() - 1)
            return carry_forward(code, day_before, on)
    return None
