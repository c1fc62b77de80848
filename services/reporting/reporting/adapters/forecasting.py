"""Year-end forecasts as of a date, per province and fund: by 31 December and by the
settlement deadline (REPORTING_YEAR_END_SETTLEMENT, 22 January), learnt from earlier years
(`domain.forecast` says how). Earlier years are read on the same day of their year, and only
up to a horizon already past on the day forecast, so a forecast never sees its own future.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from reporting.adapters.outstanding import Asked, Key, outstanding
from reporting.domain.forecast import Forecast, Outstanding, forecast, same_day, short_level
from reporting.domain.lag import LEVELS, LagRules
from reporting.domain.units import unit_code


@dataclass(frozen=True)
class ProvinceForecast:
    year_end: Forecast
    settlement: Forecast
    level: str  # of province_forecast_short: normal when not judged or not short
    judged: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "year_end": self.year_end.as_dict(),
            "settlement": self.settlement.as_dict(),
            "plan_vnd": self.settlement.plan_vnd,
            "years_learnt": self.settlement.years,
            "level": self.level,
        }


def horizons(rules: LagRules, year: int) -> tuple[date, date]:
    """31 December of `year` and the settlement deadline in the next January."""
    return date(year, 12, 31), date(year + 1, *rules.year_end_settlement)


def forecasts(session: Session, rules: LagRules, as_of: date) -> dict[Key, ProvinceForecast]:
    """Every province's and fund's forecast for the year of `as_of`."""
    year = as_of.year
    earlier = range(year - 1, year - 1 - rules.forecast_years, -1)
    asked = [Asked(year, as_of, horizons(rules, year))]
    # Earlier years on the same day, while one of their horizons is past on `as_of`.
    asked += [
        Asked(e, same_day(e, as_of), horizons(rules, e))
        for e in earlier
        if horizons(rules, e)[0] < as_of
    ]
    found = outstanding(session, asked)
    results: dict[int, dict[Key, Forecast]] = {}
    for i, by in enumerate(horizons(rules, year)):
        history = _history(asked[1:], found, as_of, i)
        results[i] = {key: forecast(now, by, history) for key, now in found[year][i].items()}
    judged = as_of >= date(year, *rules.forecast_from)
    merged: dict[Key, tuple[Forecast, Forecast]] = {}
    for (code, fund), at_year_end in results[0].items():
        key = (unit_code(code, as_of), fund)  # a merged province: its predecessors' together
        at_settlement = results[1][(code, fund)]
        if key in merged:
            before = merged[key]
            at_year_end = _add(before[0], at_year_end)
            at_settlement = _add(before[1], at_settlement)
        merged[key] = (at_year_end, at_settlement)
    out = {}
    for key, (at_year_end, at_settlement) in merged.items():
        # A forecast that learnt from no earlier year is shown, never warned about.
        warns = judged and at_settlement.years > 0
        level = short_level(at_settlement, rules.forecast_short_share) if warns else "normal"
        out[key] = ProvinceForecast(at_year_end, at_settlement, level, warns)
    return out


def _history(
    asked: list[Asked],
    found: dict[int, tuple[dict[Key, Outstanding], dict[Key, Outstanding]]],
    as_of: date,
    horizon: int,
) -> list[list[Outstanding]]:
    """Each earlier year's outstanding money on the same day, per province and fund, with
    what was paid of it by that year's horizon; years with nothing, or whose horizon is not
    past on `as_of`, left out."""
    years = []
    for a in asked:
        if a.horizons[horizon] >= as_of:
            continue
        scopes = list(found[a.year][horizon].values())
        if any(s.reached for s in scopes):  # a year with plans but no payment teaches nothing
            years.append(scopes)
    return years


def combined(found: list[ProvinceForecast]) -> dict[str, Any] | None:
    """Several funds' forecasts as one (amounts added, the worst level), as a report shows it."""
    if not found:
        return None
    total = found[0]
    for other in found[1:]:
        total = ProvinceForecast(
            _add(total.year_end, other.year_end),
            _add(total.settlement, other.settlement),
            max(total.level, other.level, key=LEVELS.index),
            total.judged,
        )
    return total.as_dict()


def _add(a: Forecast, b: Forecast) -> Forecast:
    return Forecast(
        a.by,
        a.expected_vnd + b.expected_vnd,
        a.low_vnd + b.low_vnd,
        a.high_vnd + b.high_vnd,
        a.plan_vnd + b.plan_vnd,
        min(a.years, b.years),
    )
