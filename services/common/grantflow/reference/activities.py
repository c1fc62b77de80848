"""Industrial-promotion activity types (Decree 45/2012/NĐ-CP, Art. 4), read from data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from grantflow.reference._data import load


@dataclass(frozen=True, slots=True)
class Activity:
    """One activity type: ``Activity("demonstration", "Mô hình trình diễn kỹ thuật", ...)``."""

    code: str
    name_vi: str
    name_en: str


@cache
def _activities() -> Mapping[str, Activity]:
    by_code: dict[str, Activity] = {}
    for row in load("activities.yaml")["activities"]:
        item = Activity(code=row["code"], name_vi=row["vi"], name_en=row["en"])
        if item.code in by_code:
            raise ValueError(f"activities.yaml: duplicate code {item.code!r}")
        by_code[item.code] = item
    return MappingProxyType(by_code)


ACTIVITY_CODES: frozenset[str] = frozenset(_activities())


def activity(code: str) -> Activity | None:
    """The activity with this code, or None: ``activity("machinery").name_vi``."""
    return _activities().get(code)


def require_activity(code: str) -> str:
    """The code itself if it names an activity, else ValueError (for lookups keyed by it)."""
    if code not in ACTIVITY_CODES:
        raise ValueError(f"unknown activity code {code!r}")
    return code
