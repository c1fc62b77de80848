"""Collaborator coverage: which centres have a district or commune network on a day.

The 2016 report: "6/20 centres built a district/commune collaborator network; 2/20 a
commune-level one". A network counts from its `since` day while its count is above zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any


def coverage(
    centres: Iterable[str], networks: Iterable[dict[str, Any]], as_of: date
) -> dict[str, Any]:
    """Per centre (province) its networks in force on `as_of`, and the two counts."""
    wanted = list(centres)
    by_centre: dict[str, dict[str, Any]] = {code: {} for code in wanted}
    for n in networks:
        if n["province"] in by_centre and n["count"] > 0 and n["since"] <= as_of:
            by_centre[n["province"]][n["level"]] = {
                "count": n["count"],
                "since": n["since"].isoformat(),
            }
    rows = [
        {
            "province": code,
            "district": by_centre[code].get("district"),
            "commune": by_centre[code].get("commune"),
        }
        for code in wanted
    ]
    return {
        "as_of": as_of.isoformat(),
        "centres": rows,
        "of": len(wanted),
        "with_network": sum(1 for r in rows if r["district"] or r["commune"]),
        "with_commune_network": sum(1 for r in rows if r["commune"]),
    }
