"""The year-end forecast: what a province will have disbursed by a horizon (31 December, or
the settlement deadline of 22 January), from what it has outstanding today and what earlier
years paid of the same kinds of outstanding money from the same day of the year.

Outstanding money comes in five kinds (`Outstanding`): tranches already overdue, tranches
falling due before the horizon, the rest of signed contracts, proposals approved but not yet
contracted, and the plan not yet committed to any approved proposal (`headroom`). Earlier
years tell, for each kind, the share paid between the same day and their horizon (`Rates`):
that is the programme's seasonal profile, learnt rather than assumed. The forecast is today's
disbursement plus each kind times its share. The range is learnt too: the same shares applied
to every province of the earlier years missed what each really reached by some share of its
plan; the low and high ends add the 10th and 90th percentiles of those misses (an 80% range),
never below what is already disbursed. With no earlier year, `FALLBACK` shares and a range of
half the expected further payments either side are used, and the forecast says so
(`years == 0`). Standard library only.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date

KINDS = ("overdue", "scheduled", "later", "pending", "headroom")


@dataclass(frozen=True)
class Outstanding:
    """One scope's money on the day, in dong; `paid_*` only known for an earlier year."""

    plan: int
    disbursed: int
    overdue: int = 0
    scheduled: int = 0
    later: int = 0
    pending: int = 0
    paid_overdue: int = 0
    paid_scheduled: int = 0
    paid_later: int = 0
    paid_pending: int = 0
    paid_headroom: int = 0  # paid on proposals not approved on the day

    @property
    def headroom(self) -> int:
        known = self.disbursed + self.overdue + self.scheduled + self.later + self.pending
        return max(0, self.plan - known)

    def __add__(self, other: Outstanding) -> Outstanding:
        return Outstanding(
            *(getattr(self, f.name) + getattr(other, f.name) for f in fields(Outstanding))
        )

    @property
    def reached(self) -> int:
        """What was disbursed by the horizon (an earlier year's)."""
        return self.disbursed + sum(self.paid(kind) for kind in KINDS)

    def paid(self, kind: str) -> int:
        return int(getattr(self, f"paid_{kind}"))

    def amount(self, kind: str) -> int:
        return int(getattr(self, kind))


@dataclass(frozen=True)
class Rates:
    """The share (0..1) of each kind of outstanding money paid by the horizon."""

    overdue: float
    scheduled: float
    later: float
    pending: float
    headroom: float


# Used only without any earlier year to learn from; the forecast then says `years == 0`.
FALLBACK = Rates(overdue=0.6, scheduled=0.85, later=0.3, pending=0.35, headroom=0.1)
FALLBACK_SPREAD = 0.5  # the range is this share of the expected further payments either side


def learnt(history: Outstanding) -> Rates:
    """Shares paid of what was outstanding: `paid_scheduled / scheduled` and so on (a kind
    with nothing outstanding takes the fallback's share)."""
    shares = {}
    for kind in KINDS:
        amount = history.amount(kind) if kind != "headroom" else history.headroom
        share = history.paid(kind) / amount if amount > 0 else getattr(FALLBACK, kind)
        shares[kind] = round(min(1.0, max(0.0, share)), 6)
    return Rates(**shares)


def expected(now: Outstanding, rates: Rates) -> int:
    """Today's disbursement plus each kind of outstanding money times its share, in dong."""
    further = sum(
        (now.headroom if kind == "headroom" else now.amount(kind)) * getattr(rates, kind)
        for kind in KINDS
    )
    return int(now.disbursed + round(further))


@dataclass(frozen=True)
class Forecast:
    by: date
    expected_vnd: int
    low_vnd: int
    high_vnd: int
    plan_vnd: int
    years: int  # earlier years learnt from

    def rate(self, amount: int | None = None) -> float | None:
        value = self.expected_vnd if amount is None else amount
        return round(value / self.plan_vnd, 4) if self.plan_vnd else None

    def as_dict(self) -> dict[str, object]:
        return {
            "by": self.by.isoformat(),
            "expected_vnd": self.expected_vnd,
            "low_vnd": self.low_vnd,
            "high_vnd": self.high_vnd,
            "rate": self.rate(),
            "low_rate": self.rate(self.low_vnd),
            "high_rate": self.rate(self.high_vnd),
        }


def forecast(now: Outstanding, by: date, years: Sequence[Sequence[Outstanding]]) -> Forecast:
    """The forecast by `by` from today's outstanding money and, per earlier year, each
    province's and fund's outstanding money on the same day with what it paid by its horizon."""
    scopes = [s for year in years for s in year]
    if not scopes:
        point = expected(now, FALLBACK)
        spread = round((point - now.disbursed) * FALLBACK_SPREAD)
        return Forecast(by, point, point - spread, point + spread, now.plan, 0)
    pooled = learnt(sum(scopes[1:], scopes[0]))
    point = expected(now, pooled)
    misses = sorted((s.reached - expected(s, pooled)) / s.plan for s in scopes if s.plan)
    if len(misses) < 10:
        spread = round((point - now.disbursed) * FALLBACK_SPREAD)
        low, high = point - spread, point + spread
    else:
        cuts = statistics.quantiles(misses, n=10)
        low, high = point + round(cuts[0] * now.plan), point + round(cuts[-1] * now.plan)
    low = max(now.disbursed, min(low, point))
    return Forecast(by, point, low, max(high, point), now.plan, len(years))


def short_level(f: Forecast, share: float) -> str:
    """How far the forecast falls short of `share` of the plan: critical when even the high
    end does, warning when the expected amount does, watch when the low end does."""
    if not f.plan_vnd:
        return "normal"
    target = f.plan_vnd * share
    if f.high_vnd < target:
        return "critical"
    if f.expected_vnd < target:
        return "warning"
    return "watch" if f.low_vnd < target else "normal"


def same_day(year: int, on: date) -> date:
    """`on`'s month and day in `year` (28 February for a 29th in a common year)."""
    try:
        return on.replace(year=year)
    except ValueError:
        return date(year, 2, 28)
