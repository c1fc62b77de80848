"""The email metrics, in the service's own Prometheus registry (next to its RED metrics)."""

from __future__ import annotations

from typing import Any

from prometheus_client import Counter, Gauge, Histogram

OUTCOMES = ("sent", "retried", "deferred", "failed")


class EmailMetrics:
    """`grantflow_emails_total`, `grantflow_email_delivery_seconds` and
    `grantflow_email_pending_deliveries` of one service."""

    def __init__(self, service: str, registry: Any) -> None:
        self.service = service
        self._emails = Counter(
            "grantflow_emails_total",
            "Email attempts by outcome: sent; retried (a transient failure, tried again after "
            "a back-off); deferred (attempts spent, tried later); failed (5xx, or given up).",
            ["service", "outcome"],
            registry=registry,
        )
        for outcome in OUTCOMES:
            self._emails.labels(service, outcome)
        self.delivery_seconds = Histogram(
            "grantflow_email_delivery_seconds",
            "Time of one delivery attempt: SMTP connect to reply, or writing the .eml file.",
            ["service"],
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=registry,
        ).labels(service)
        self.backlog = Gauge(
            "grantflow_email_pending_deliveries",
            "Emails planned and not yet sent (nor failed).",
            ["service"],
            registry=registry,
        ).labels(service)

    def counted(self, outcome: str) -> None:
        self._emails.labels(self.service, outcome).inc()
