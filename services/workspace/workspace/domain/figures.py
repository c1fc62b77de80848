"""Figures the pages derive from the services' answers: regional averages and totals."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

LEVELS = ("normal", "watch", "warning", "critical")


def rate(disbursed: int, allocated: int) -> float | None:
    """Disbursed over allocated (None when nothing is allocated)."""
    return disbursed / allocated if allocated else None


def region_totals(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per region: provinces, allocated, committed, disbursed, rate and lagging proposals."""
    totals: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "provinces": 0,
            "allocated_vnd": 0,
            "committed_vnd": 0,
            "disbursed_vnd": 0,
            "lagging_proposals": 0,
        }
    )
    for row in rows:
        t = totals[row.get("region") or ""]
        t["provinces"] += 1
        for key in ("allocated_vnd", "committed_vnd", "disbursed_vnd", "lagging_proposals"):
            t[key] += int(row.get(key) or 0)
    return [
        {"region": region, **t, "rate": rate(t["disbursed_vnd"], t["allocated_vnd"])}
        for region, t in sorted(totals.items())
    ]


def grand_total(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    allocated = committed = disbursed = lagging = 0
    for row in rows:
        allocated += int(row.get("allocated_vnd") or 0)
        committed += int(row.get("committed_vnd") or 0)
        disbursed += int(row.get("disbursed_vnd") or 0)
        lagging += int(row.get("lagging_proposals") or 0)
    return {
        "allocated_vnd": allocated,
        "committed_vnd": committed,
        "disbursed_vnd": disbursed,
        "lagging_proposals": lagging,
        "rate": rate(disbursed, allocated),
    }


def cumulative_by_month(entries: Iterable[tuple[str, int]], year: int) -> list[int]:
    """Twelve running totals of dong paid (entries are (ISO date, amount)), January first."""
    months = [0] * 12
    for on, amount in entries:
        if on[:4] == str(year):
            months[int(on[5:7]) - 1] += amount
    running, total = [], 0
    for value in months:
        total += value
        running.append(total)
    return running
