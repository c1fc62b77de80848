"""province_forecast_short: announced when a province's forecast level changes.

The level is that of `domain.forecast.short_level` on the forecast by the settlement deadline
(normal when the forecast reaches REPORTING_FORECAST_SHORT_SHARE of the plan, or before
REPORTING_FORECAST_FROM); a change to `normal` is announced too, so that notifications
resolves the alert. Runs inside the evaluation's transaction, under its advisory lock.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grantflow.contract import new_event
from grantflow.db import insert
from reporting.adapters.evaluation import ProvinceFigures
from reporting.adapters.forecasting import ProvinceForecast
from reporting.adapters.overdue import SOURCE, Announced
from reporting.adapters.tables import forecast_level, outbox
from reporting.domain.lag import LagRules


def evidence(
    f: ProvinceFigures, forecast: ProvinceForecast, rules: LagRules, as_of: date
) -> dict[str, Any]:
    """What the event and the stored level carry: the forecast at both horizons."""
    return f.place | {
        "as_of": as_of.isoformat(),
        "level": forecast.level,
        "plan_vnd": forecast.settlement.plan_vnd,
        "disbursed_vnd": f.disbursed_vnd,
        "short_share": rules.forecast_short_share,
        "years_learnt": forecast.settlement.years,
        "year_end": forecast.year_end.as_dict(),
        "settlement": forecast.settlement.as_dict(),
    }


def announce(
    session: Session,
    rules: LagRules,
    figures: list[ProvinceFigures],
    forecasts: dict[tuple[str, str], ProvinceForecast],
    as_of: date,
) -> list[Announced]:
    """Record and announce each scope whose forecast level changed."""
    current = {
        (r.province, r.source_fund): r
        for r in session.execute(select(forecast_level).where(forecast_level.c.year == as_of.year))
    }
    announced: list[Announced] = []
    for f in figures:
        found = forecasts.get((f.province, f.source_fund))
        if found is None or f.year != as_of.year:
            continue
        before = current.get((f.province, f.source_fund))
        previous = before.level if before else "normal"
        if found.level == previous:
            continue
        version = (before.version if before else 0) + 1
        data = evidence(f, found, rules, as_of) | {"previous_level": previous}
        event = new_event(
            "province_forecast_short",
            SOURCE,
            data,
            subject=f.key.key,
            version=version,
        )
        outbox.add(session, [event])
        announced.append({"type": event["type"], "subject": event["subject"]})
        scope = {"province": f.province, "year": f.year, "source_fund": f.source_fund}
        stmt = insert(session, forecast_level).values(
            **scope, level=found.level, version=version, as_of_day=as_of.toordinal(), evidence=data
        )
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=list(scope),
                set_={k: stmt.excluded[k] for k in ("level", "version", "as_of_day", "evidence")},
            )
        )
    return announced
