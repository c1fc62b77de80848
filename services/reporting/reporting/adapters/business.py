"""Business metrics on /metrics: per province, fund and year, set after each evaluation.

Labels are bounded: provinces (at most 63), two funds, the configured number of recent years,
a handful of states and reason codes. No proposal id is ever a label.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nameko.extensions import DependencyProvider
from prometheus_client import Gauge

from grantflow.metrics import ServiceMetrics
from reporting.adapters.evaluation import Evaluation
from reporting.adapters.figures import ProvinceFigures
from reporting.domain.lag import LEVELS

SCOPE = ["province", "source_fund", "year"]


# The gauges per scope: name -> (help, the province's figure it shows; None: none to show).
BY_SCOPE: dict[str, tuple[str, Callable[[ProvinceFigures], float | None]]] = {
    "grantflow_plan_allocated_vnd": ("Approved plan in force, in dong.", lambda f: f.allocated_vnd),
    "grantflow_disbursed_vnd": ("Advances plus payments, in dong.", lambda f: f.disbursed_vnd),
    "grantflow_disbursement_rate_ratio": ("Disbursed over allocated (0..1).", lambda f: f.rate),
    "grantflow_expected_disbursement_rate_ratio": (
        "The share of the allocation expected by the evaluation date.",
        lambda f: f.expected_rate,
    ),
    "grantflow_province_warning_level": (
        "0 normal, 1 watch, 2 warning, 3 critical.",
        lambda f: LEVELS.index(f.level),
    ),
}


class BusinessMetrics:
    def __init__(self, registry: Any, years: int) -> None:
        self.years = years
        self.by_scope = {
            name: Gauge(name, doc, SCOPE, registry=registry) for name, (doc, _) in BY_SCOPE.items()
        }
        self.forecast = Gauge(
            "grantflow_forecast_disbursement_rate_ratio",
            "Disbursement expected by `by` (year_end: 31 December; settlement: the settlement"
            " deadline in January) over the plan in force, as forecast on the evaluation date;"
            " `bound` expected, low or high (the 80% range).",
            [*SCOPE, "by", "bound"],
            registry=registry,
        )
        self.quality = Gauge(
            "grantflow_data_quality_score",
            "How far a province's figures can be trusted, 0-100 (README, Data quality): dead"
            " letters, late or out-of-order events, missing progress reports, proposals"
            " without beneficiary.",
            ["province", "year"],
            registry=registry,
        )
        self.proposals = Gauge(
            "grantflow_proposals",
            "Proposals by province and state.",
            ["province", "state"],
            registry=registry,
        )
        self.lagging = Gauge(
            "grantflow_lagging_proposals",
            "Proposals behind schedule by province and reason.",
            ["province", "reason"],
            registry=registry,
        )
        self._years_seen: list[int] = []

    def observe_quality(self, year: int, quality: dict[str, Any]) -> None:
        """Replace the year's data-quality scores (`views.data_quality`)."""
        for labels in list(self.quality._metrics):
            if int(labels[1]) not in self._years_seen or int(labels[1]) == year:
                self.quality.remove(*labels)
        for code, found in quality.items():
            if found.score is not None:
                self.quality.labels(code, str(year)).set(found.score)

    def observe(self, evaluation: Evaluation, states: dict[tuple[str, str], int]) -> None:
        """Replace the series of the evaluated year; keep only the most recent years."""
        figures = evaluation.figures
        if not figures:
            return
        year = figures[0].year
        self._years_seen = sorted({*self._years_seen, year})[-self.years :]
        for gauge in (*self.by_scope.values(), self.forecast):
            for labels in list(gauge._metrics):
                if int(labels[2]) not in self._years_seen or int(labels[2]) == year:
                    gauge.remove(*labels)
        for f in figures:
            labels = (f.province, f.source_fund, str(f.year))
            for name, (_, shown) in BY_SCOPE.items():
                value = shown(f)
                if value is not None:
                    self.by_scope[name].labels(*labels).set(value)
            found = evaluation.forecasts.get((f.province, f.source_fund))
            if found is not None:
                self._forecast(labels, found)
        self.proposals.clear()
        for (code, state), n in states.items():
            self.proposals.labels(code, state).set(n)
        self.lagging.clear()
        for (code, reason), n in evaluation.by_province_reason().items():
            self.lagging.labels(code, reason).set(n)

    def _forecast(self, labels: tuple[str, str, str], found: Any) -> None:
        for by, made in (("year_end", found.year_end), ("settlement", found.settlement)):
            if not made.plan_vnd:
                continue
            for bound, amount in (
                ("expected", made.expected_vnd),
                ("low", made.low_vnd),
                ("high", made.high_vnd),
            ):
                self.forecast.labels(*labels, by, bound).set(made.rate(amount))


class Business(DependencyProvider):
    def __init__(self, years: Callable[[], int]) -> None:
        self.years = years  # read at start

    def setup(self) -> None:
        self.metrics = BusinessMetrics(ServiceMetrics.of(self.container).registry, self.years())

    def get_dependency(self, worker_ctx: Any) -> BusinessMetrics:
        return self.metrics
