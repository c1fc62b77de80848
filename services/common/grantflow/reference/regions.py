"""Regions: the GSO's six socio-economic regions and named groupings such as ``south_2016``.

Data: ``data/regions.yaml`` (names and groupings) and ``data/provinces.yaml`` (each unit's
GSO region on a date).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from types import MappingProxyType

from grantflow.reference._data import as_date, load
from grantflow.reference.provinces import (
    Province,
    carry_forward,
    gso_regions,
    province,
    provinces_on,
)


@dataclass(frozen=True, slots=True)
class Grouping:
    """A fixed list of units, written in the codes in force on ``codes_as_of``."""

    name: str
    name_vi: str
    name_en: str
    codes_as_of: date
    members: tuple[str, ...]
    source: str


@cache
def _groupings() -> Mapping[str, Grouping]:
    groupings: dict[str, Grouping] = {}
    for name, row in (load("regions.yaml").get("groupings") or {}).items():
        if name in gso_regions():
            raise ValueError(f"regions.yaml: grouping {name!r} shadows a GSO region")
        as_of = as_date(row["codes_as_of"], f"{name} codes_as_of")
        members = tuple(row["members"])
        unknown = [code for code in members if province(code, as_of) is None]
        if unknown or len(set(members)) != len(members):
            raise ValueError(f"regions.yaml: {name} has unknown or repeated codes {unknown}")
        groupings[name] = Grouping(name, row["vi"], row["en"], as_of, members, row["source"])
    return MappingProxyType(groupings)


def region_names() -> frozenset[str]:
    """Every name ``region_members`` accepts: the six GSO regions and the named groupings."""
    return gso_regions() | frozenset(_groupings())


def grouping(name: str) -> Grouping | None:
    """The named grouping, or None (GSO regions are not groupings)."""
    return _groupings().get(name)


def region_label(name: str, lang: str = "en") -> str:
    """A region's or grouping's name in words (``lang`` "vi" or "en"); an unknown name as is.

    ``region_label("mekong_delta", "vi") == "Đồng bằng sông Cửu Long"``
    """
    found = _groupings().get(name)
    if found is not None:
        return found.name_vi if lang == "vi" else found.name_en
    row = (load("regions.yaml")["gso"] or {}).get(name)
    return str(row["vi" if lang == "vi" else "en"]) if row else name


def region_members(name: str, on: date) -> list[str]:
    """Codes of the units in a region on a date, sorted.

    ``region_members("southeast", date(2016, 1, 1))`` -> the six Southeast codes;
    ``region_members("south_2016", date(2026, 1, 1))`` -> the 2025 units the 20 became.
    Raises KeyError for an unknown name.
    """
    if name in gso_regions():
        return [p.code for p in provinces_on(on) if p.region == name]
    found = _groupings().get(name)
    if found is None:
        raise KeyError(f"unknown region or grouping {name!r}")
    codes = (carry_forward(code, found.codes_as_of, on) for code in found.members)
    return sorted({code for code in codes if code is not None})


def in_region(region: str, on: date) -> list[Province]:
    """The units of ``region_members(region, on)``: ``in_region("mekong_delta", on)``."""
    units = (province(code, on) for code in region_members(region, on))
    return [unit for unit in units if unit is not None]
