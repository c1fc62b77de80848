"""Support ceilings per activity, fund and date, read from ``data/ceilings.yaml``.

Money is int dong and rates are int percent; nothing here touches a float.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from grantflow.domain.scope import FUNDS as SHARED_FUNDS
from grantflow.reference._data import as_date, as_int, load
from grantflow.reference.activities import require_activity

FUNDS = frozenset(SHARED_FUNDS)
PER = frozenset({"proposal", "enterprise"})


@dataclass(frozen=True, slots=True)
class Ceiling:
    """The most the state pays for one item, from a date on.

    ``Ceiling("demonstration", "national", "demonstration_model", 30, 1_000_000_000,
    "proposal", date(2018, 5, 11), "28/2018/TT-BTC Art. 8.2")``
    """

    activity: str
    fund: str
    item: str
    rate_percent: int | None
    cap_vnd: int
    per: str
    effective_from: date
    source: str

    def limit_for(self, total_cost_vnd: int) -> int:
        """The most support allowed for an item costing ``total_cost_vnd`` dong, rounded down.

        ``limit_for(2_000_000_000) == 600_000_000`` for 30% up to 1,000 M.
        """
        if type(total_cost_vnd) is not int:
            raise TypeError(f"total_cost_vnd must be int dong, got {total_cost_vnd!r}")
        if total_cost_vnd < 0:
            raise ValueError(f"total_cost_vnd must not be negative, got {total_cost_vnd}")
        if self.rate_percent is None:
            return self.cap_vnd
        return min(self.cap_vnd, total_cost_vnd * self.rate_percent // 100)


@cache
def _ceilings() -> tuple[Ceiling, ...]:
    rows = []
    for n, row in enumerate(load("ceilings.yaml")["ceilings"]):
        what = f"ceilings.yaml row {n}"
        rate = row["rate_percent"]
        ceiling = Ceiling(
            activity=require_activity(row["activity"]),
            fund=row["fund"],
            item=row["item"],
            rate_percent=None if rate is None else as_int(rate, what),
            cap_vnd=as_int(row["cap_vnd"], what),
            per=row["per"],
            effective_from=as_date(row["effective_from"], what),
            source=row["source"],
        )
        if ceiling.fund not in FUNDS or ceiling.per not in PER:
            raise ValueError(f"{what}: bad fund {ceiling.fund!r} or per {ceiling.per!r}")
        if ceiling.rate_percent is not None and not 0 < ceiling.rate_percent <= 100:
            raise ValueError(f"{what}: rate_percent out of range")
        rows.append(ceiling)
    return tuple(rows)


def ceilings_in_force(activity: str, fund: str, on: date) -> list[Ceiling]:
    """Every item's ceiling for an activity and fund on a date, per proposal or per enterprise.

    For each item, the row with the latest ``effective_from`` not after ``on``.
    """
    require_activity(activity)
    if fund not in FUNDS:
        raise ValueError(f"unknown fund {fund!r}")
    latest: dict[str, Ceiling] = {}
    for row in _ceilings():
        if row.activity == activity and row.fund == fund and row.effective_from <= on:
            held = latest.get(row.item)
            if held is None or row.effective_from >= held.effective_from:
                latest[row.item] = row
    return sorted(latest.values(), key=lambda c: c.item)


def ceiling_for(activity: str, fund: str, on: date) -> Ceiling | None:
    """The per-proposal ceiling to check a proposal's requested support against, or None.

    ``ceiling_for("demonstration", "national", date(2017, 1, 1)).cap_vnd == 500_000_000``.
    Where an activity has several items (industrial_cluster), the one with the largest cap.
    Per-enterprise ceilings (enterprise founding, pollution repair) are not proposal-level.
    None means no ceiling in the data: local funds (provinces set their own) unless a
    province's rows are loaded, activities without a national cap, dates before 2014-04-04.
    """
    per_proposal = [c for c in ceilings_in_force(activity, fund, on) if c.per == "proposal"]
    return max(per_proposal, key=lambda c: c.cap_vnd, default=None)


def priority_area_percent(fund: str, on: date) -> int | None:
    """How far ceilings may be raised in especially difficult areas, in percent (150 = 1.5x)."""
    rows = [
        row
        for row in load("ceilings.yaml").get("priority_area_multipliers") or ()
        if row["fund"] == fund and as_date(row["effective_from"], "multiplier") <= on
    ]
    if not rows:
        return None
    return as_int(max(rows, key=lambda row: row["effective_from"])["percent"], "multiplier")
