"""Advance caps (tạm ứng) per activity and date, read from ``data/advance_caps.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from grantflow.reference._data import as_date, as_int, load
from grantflow.reference.activities import require_activity

DEFAULT = "*"
WHEN = frozenset({"on_signing", "after_acceptance"})


@dataclass(frozen=True, slots=True)
class AdvanceCap:
    """``AdvanceCap("*", None, 70, "on_signing", date(2014, 2, 10), "36/2013/TT-BCT")``."""

    activity: str
    item: str | None
    percent: int
    when: str
    effective_from: date
    source: str

    @property
    def advance_percent(self) -> int:
        """The share that may be paid before acceptance."""
        return self.percent if self.when == "on_signing" else 0


@cache
def _caps() -> tuple[AdvanceCap, ...]:
    rows = []
    for n, row in enumerate(load("advance_caps.yaml")["advance_caps"]):
        what = f"advance_caps.yaml row {n}"
        cap = AdvanceCap(
            activity=row["activity"],
            item=row.get("item"),
            percent=as_int(row["percent"], what),
            when=row["when"],
            effective_from=as_date(row["effective_from"], what),
            source=row["source"],
        )
        if cap.activity != DEFAULT:
            require_activity(cap.activity)
        if cap.when not in WHEN or not 0 <= cap.percent <= 100:
            raise ValueError(f"{what}: bad when {cap.when!r} or percent {cap.percent}")
        rows.append(cap)
    return tuple(rows)


def advance_cap(activity: str, on: date, item: str | None = None) -> AdvanceCap:
    """The advance rule in force: the row for (activity, item), else (activity), else default.

    Raises LookupError when no rule is in force on ``on`` (before the data starts).
    """
    require_activity(activity)
    for key in dict.fromkeys([(activity, item), (activity, None), (DEFAULT, None)]):
        in_force = [c for c in _caps() if (c.activity, c.item) == key and c.effective_from <= on]
        if in_force:
            return max(in_force, key=lambda c: c.effective_from)
    raise LookupError(f"no advance cap in force for {activity!r} on {on}")


def advance_cap_percent(activity: str, on: date, item: str | None = None) -> int:
    """The most that may be advanced before acceptance, in percent of the contract's support.

    ``advance_cap_percent("training", d) == 70``; ``("industrial_cluster", d) == 30``;
    ``("capacity", d, item="enterprise_founding") == 0`` (paid in full after acceptance).
    """
    return advance_cap(activity, on, item).advance_percent
