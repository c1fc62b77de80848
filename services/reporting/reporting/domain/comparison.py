"""Which group each province is compared with: the programme's groupings the reports use.

A province that belongs to one of the configured groupings (`REPORTING_COMPARISON_GROUPS`,
default `south_2016`, the 20 provinces of the 2016 southern conference) is compared with the
other members of that grouping; any other province with the other provinces of its GSO region.
Members are read on the date evaluated, so after the 2025 merger a grouping of 2016 codes
holds the units those provinces became.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from grantflow.reference import region_label, region_members


def group_of(
    codes: Iterable[str], regions: dict[str, str | None], groups: tuple[str, ...], on: date
) -> dict[str, str | None]:
    """{province: the name of its comparison group} for the provinces given."""
    members = {name: set(_members(name, on)) for name in groups}
    out: dict[str, str | None] = {}
    for code in codes:
        mine = next((name for name in groups if code in members[name]), None)
        out[code] = mine or regions.get(code)
    return out


def _members(name: str, on: date) -> list[str]:
    try:
        return region_members(name, on)
    except KeyError:
        raise ValueError(f"REPORTING_COMPARISON_GROUPS: no grouping or region {name!r}") from None


def group_label(name: str | None, lang: str = "en") -> str | None:
    """The group's name in words: `group_label("south_2016")` -> "Southern provinces …"."""
    return None if name is None else region_label(name, lang)
