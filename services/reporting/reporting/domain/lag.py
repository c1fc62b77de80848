"""The schedule-lag rules: the expected-disbursement curve, the warning levels, the month a
progress report is due for, and each reason in words.

Every threshold is configuration (`LagRules`, filled from the environment by `config.py`);
the defaults are documented in the README.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta

LEVELS = ("normal", "watch", "warning", "critical")

REASONS = (
    "no_contract_30_days",
    "progress_report_missing",
    "progress_behind",
    "not_accepted_by_end",
    "tranche_overdue",
    "repayment_overdue",
    "settlement_late",
    "year_end_unsettled",
)


@dataclass(frozen=True)
class LagRules:
    no_contract_days: int = 30
    report_due_day: int = 25
    progress_gap_points: float = 20.0
    settlement_days: int = 15
    year_end_settlement: tuple[int, int] = (1, 22)  # (month, day) of the next year
    repayment_grace_days: int = 30
    # Expected cumulative share of the year's allocation disbursed by each (month, day).
    curve: tuple[tuple[int, int, float], ...] = (
        (3, 31, 0.10),
        (6, 30, 0.30),
        (9, 30, 0.60),
        (12, 31, 0.90),
    )
    min_expected: float = 0.05  # below this, the rate is not judged (early in the year)
    critical_rate_factor: float = 0.5  # rate below half of expected
    warning_rate_factor: float = 0.75
    regional_factor: float = 0.75  # rate below 75% of the region's average
    critical_lagging_share: float = 0.5
    warning_lagging_share: float = 0.3
    watch_lagging_share: float = 0.1
    # Each province is compared with the other members of the first of these groupings it
    # belongs to (grantflow.reference regions.yaml), else with the rest of its GSO region.
    comparison_groups: tuple[str, ...] = ("south_2016",)
    # province_forecast_short: the forecast by the settlement deadline against this share of
    # the plan, judged from forecast_from (month, day) on, learning from forecast_years.
    forecast_short_share: float = 0.8
    forecast_from: tuple[int, int] = (4, 1)
    forecast_years: int = 5


def expected_rate(rules: LagRules, year: int, on: date) -> float:
    """The share of the year's allocation expected to be disbursed by `on` (0..1).

    Linear between the curve's points, from 0 on 1 January; the last point's share after it.
    """
    if on.year < year:
        return 0.0
    points = [(date(year, 1, 1), 0.0)] + [(date(year, m, d), s) for m, d, s in rules.curve]
    if on >= points[-1][0]:
        return points[-1][1]
    for (d0, s0), (d1, s1) in itertools.pairwise(points):
        if d0 <= on <= d1:
            if d1 == d0:
                return s1
            return round(s0 + (s1 - s0) * (on - d0).days / (d1 - d0).days, 4)
    return 0.0


def report_month(rules: LagRules, as_of: date) -> tuple[date, date]:
    """The month whose progress report is due by `as_of`, and its due day (the 25th unless
    configured otherwise)."""
    due_this_month = as_of.replace(day=rules.report_due_day)
    if as_of > due_this_month:
        return as_of.replace(day=1), due_this_month
    previous = as_of.replace(day=1) - timedelta(days=1)
    return previous.replace(day=1), previous.replace(day=rules.report_due_day)


def detail(reason: str, n: int, as_of: date, rules: LagRules) -> str:
    """A reason's detail in words, from the number its SQL branch answers."""
    match reason:
        case "no_contract_30_days":
            return f"approved {_days(n)} before {as_of:%d/%m/%Y}, no contract signed"
        case "progress_report_missing":
            return f"no progress report for {date.fromordinal(n):%m/%Y} by the due date"
        case "progress_behind":
            return f"{n}% complete, more than the allowed gap behind its planned period"
        case "not_accepted_by_end":
            return f"not accepted {_days(n)} after its planned end"
        case "settlement_late":
            return f"accepted {_days(n)} ago, not settled"
        case "year_end_unsettled":
            month, day = rules.year_end_settlement
            return f"contract of {n} not settled by {date(n + 1, month, day):%d/%m/%Y}"
    return reason.replace("_", " ")


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"
