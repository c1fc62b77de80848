"""Prometheus metrics, one registry per service container.

A registry per container (not the global one) lets several services run in one process
without `DuplicateTimeseries`. The `Metrics` dependency records RED figures for every
entrypoint of its service; the ingest consumer and the outbox relay record event traffic.
"""

from __future__ import annotations

import time
from typing import Any

from nameko.extensions import DependencyProvider
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

# Every family a service exposes: attribute -> (kind, name, help, labels after `service`).
FAMILIES: dict[str, tuple[type[Counter | Gauge | Histogram], str, str, tuple[str, ...]]] = {
    "requests": (
        Counter,
        "grantflow_entrypoint_calls_total",
        "Entrypoint calls by entrypoint and outcome (success, client_error, error).",
        ("entrypoint", "outcome"),
    ),
    "duration": (
        Histogram,
        "grantflow_entrypoint_duration_seconds",
        "Time spent in an entrypoint call.",
        ("entrypoint",),
    ),
    "consumed": (
        Counter,
        "grantflow_events_consumed_total",
        "Lifecycle events consumed, by type and outcome (applied, duplicate, retried,"
        " dead_lettered).",
        ("type", "outcome"),
    ),
    "published": (
        Counter,
        "grantflow_events_published_total",
        "Domain events published from the outbox, by type.",
        ("type",),
    ),
    "unroutable": (
        Counter,
        "grantflow_events_unroutable_total",
        "Domain events the broker returned as unroutable (kept in the outbox).",
        ("type",),
    ),
    "dead_letters": (
        Counter,
        "grantflow_dead_letters_total",
        "Messages sent to the dead-letter queue, by error code.",
        ("code",),
    ),
    "outbox_backlog": (
        Gauge,
        "grantflow_outbox_backlog_events",
        "Outbox rows not yet published.",
        (),
    ),
    "outbox_age": (
        Gauge,
        "grantflow_outbox_oldest_age_seconds",
        "Age of the oldest unpublished outbox row (0 when empty).",
        (),
    ),
}
BATCH_BUCKETS = (1, 5, 10, 25, 50, 100, 200, 500, 1000)


class ServiceMetrics:
    """Every metric a grantflow service exposes, registered in its own registry."""

    requests: Counter
    duration: Histogram
    consumed: Counter
    published: Counter
    unroutable: Counter
    dead_letters: Counter
    outbox_backlog: Gauge
    outbox_age: Gauge

    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry(auto_describe=True)
        for attribute, (kind, name, text, labels) in FAMILIES.items():
            family = kind(name, text, ["service", *labels], registry=self.registry)
            setattr(self, attribute, family)
        self.batch_size = Histogram(
            "grantflow_ingest_batch_events",
            "Events applied together in one database transaction.",
            ["service"],
            buckets=BATCH_BUCKETS,
            registry=self.registry,
        )

    @classmethod
    def of(cls, container: Any) -> ServiceMetrics:
        # Extensions see their container through a weakref proxy; keep the metrics on it.
        found = getattr(container, "_grantflow_metrics", None)
        if found is None:
            found = cls(container.service_name)
            container._grantflow_metrics = found
        return found

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class Metrics(DependencyProvider):
    """RED metrics for every entrypoint of the service; injects its `ServiceMetrics`."""

    def setup(self) -> None:
        self.metrics = ServiceMetrics.of(self.container)
        self._started: dict[Any, float] = {}

    def get_dependency(self, worker_ctx: Any) -> ServiceMetrics:
        return self.metrics

    def worker_setup(self, worker_ctx: Any) -> None:
        self._started[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx: Any, result: Any = None, exc_info: Any = None) -> None:
        started = self._started.pop(worker_ctx, None)
        name = worker_ctx.entrypoint.method_name
        outcome = "error" if exc_info is not None else _outcome_of(result)
        self.metrics.requests.labels(self.metrics.service, name, outcome).inc()
        if started is not None:
            self.metrics.duration.labels(self.metrics.service, name).observe(
                time.perf_counter() - started
            )


def _outcome_of(result: Any) -> str:
    status = getattr(result, "status_code", None)
    if not isinstance(status, int) or status < 400:
        return "success"
    return "client_error" if status < 500 else "error"
