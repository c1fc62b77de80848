"""The reporting service's own settings: lag thresholds, the curve, timers, metric years."""

from __future__ import annotations

from datetime import date
from functools import cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from grantflow.config import settings
from grantflow.reference import region_names
from reporting.domain.lag import LagRules


class ReportingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REPORTING_", extra="ignore")

    lag_interval_seconds: float = Field(3600.0, gt=0)
    metric_years: int = Field(3, ge=1, le=20)
    no_contract_days: int = 30
    report_due_day: int = Field(25, ge=1, le=28)
    progress_gap_points: float = 20.0
    settlement_days: int = 15
    year_end_settlement: str = "01-22"  # month-day of the next year
    expected_curve: str = "03-31:0.10,06-30:0.30,09-30:0.60,12-31:0.90"
    min_expected: float = 0.05
    critical_rate_factor: float = 0.5
    warning_rate_factor: float = 0.75
    regional_factor: float = 0.75
    critical_lagging_share: float = 0.5
    warning_lagging_share: float = 0.3
    watch_lagging_share: float = 0.1
    comparison_groups: str = "south_2016"  # comma-separated groupings of regions.yaml
    forecast_short_share: float = Field(0.8, gt=0, le=1)  # of the plan, by the settlement day
    forecast_from: str = "04-01"  # month-day from which province_forecast_short is judged
    forecast_years: int = Field(5, ge=1, le=20)  # earlier years the forecast learns from
    proposals_url: str = "http://localhost:8001"
    disbursement_url: str = "http://localhost:8002"

    def rules(self, repayment_grace_days: int | None = None) -> LagRules:
        """The lag rules; the repayment grace is the shared setting (`REPAYMENT_GRACE_DAYS`)
        unless given."""
        if repayment_grace_days is None:
            repayment_grace_days = settings().repayment_grace_days
        curve = []
        for point in self.expected_curve.split(","):
            day, share = point.split(":")
            month, dom = (int(x) for x in day.split("-"))
            date(2015, month, dom)  # a day every year has (no 29 February)
            curve.append((month, dom, float(share)))
        days = [(m, d) for m, d, _ in curve]
        shares = [s for _, _, s in curve]
        if not (
            days == sorted(set(days))
            and shares == sorted(shares)
            and 0 <= shares[0] <= shares[-1] <= 1
        ):
            raise ValueError("REPORTING_EXPECTED_CURVE: days in order, shares rising in 0..1")
        try:
            month, dom = (int(x) for x in self.year_end_settlement.split("-"))
            date(2015, month, dom)  # a day every year has (no 29 February)
        except ValueError:
            raise ValueError("REPORTING_YEAR_END_SETTLEMENT: a day of the year, MM-DD") from None
        fields = {
            k: getattr(self, k)
            for k in (
                "no_contract_days",
                "report_due_day",
                "progress_gap_points",
                "settlement_days",
                "min_expected",
                "critical_rate_factor",
                "warning_rate_factor",
                "regional_factor",
                "critical_lagging_share",
                "warning_lagging_share",
                "watch_lagging_share",
            )
        }
        try:
            from_month, from_day = (int(x) for x in self.forecast_from.split("-"))
            date(2015, from_month, from_day)
        except ValueError:
            raise ValueError("REPORTING_FORECAST_FROM: a day of the year, MM-DD") from None
        groups = tuple(g.strip() for g in self.comparison_groups.split(",") if g.strip())
        unknown = [g for g in groups if g not in region_names()]
        if unknown:
            raise ValueError(f"REPORTING_COMPARISON_GROUPS: no grouping or region {unknown}")
        return LagRules(
            curve=tuple(curve),
            year_end_settlement=(month, dom),
            comparison_groups=groups,
            forecast_short_share=self.forecast_short_share,
            forecast_from=(from_month, from_day),
            forecast_years=self.forecast_years,
            repayment_grace_days=repayment_grace_days,
            **fields,
        )


@cache
def reporting_settings() -> ReportingSettings:
    return ReportingSettings()
