"""Every metric the alert rules and the dashboard may name, and who exports it.

The grantflow names are the ones the services export (contract.md section 4, the README's
metrics table, issue 4's business metrics); tests/deploy/test_live.py holds every running
service to this list through a live /metrics scrape. RabbitMQ's come from its
rabbitmq_prometheus plugin with per-object metrics on; `up` is Prometheus's own.
"""

from __future__ import annotations

import pytest

# Exported by every grantflow service (grantflow.metrics.ServiceMetrics).
EVERY_SERVICE = {
    "grantflow_entrypoint_calls_total": "counter",
    "grantflow_entrypoint_duration_seconds": "histogram",
    "grantflow_events_consumed_total": "counter",
    "grantflow_events_published_total": "counter",
    "grantflow_events_unroutable_total": "counter",
    "grantflow_dead_letters_total": "counter",
    "grantflow_outbox_backlog_events": "gauge",
    "grantflow_outbox_oldest_age_seconds": "gauge",
    "grantflow_ingest_batch_events": "histogram",
}

BY_SERVICE = {
    "notifications": {
        "grantflow_emails_total": "counter",
        "grantflow_email_delivery_seconds": "histogram",
    },
    # Per province, source_fund and year, except grantflow_proposals (province, state) and
    # grantflow_lagging_proposals (province, reason): reporting.business, issue 4.
    "reporting": {
        "grantflow_plan_allocated_vnd": "gauge",
        "grantflow_disbursed_vnd": "gauge",
        "grantflow_disbursement_rate_ratio": "gauge",
        "grantflow_expected_disbursement_rate_ratio": "gauge",
        "grantflow_province_warning_level": "gauge",
        "grantflow_proposals": "gauge",
        "grantflow_lagging_proposals": "gauge",
        # issue 17: per province, source_fund, year, by (year_end, settlement) and bound
        "grantflow_forecast_disbursement_rate_ratio": "gauge",
        "grantflow_data_quality_score": "gauge",  # per province and year
    },
}

RABBITMQ = {
    "rabbitmq_queue_messages_ready": "gauge",
    "rabbitmq_queue_messages_unacked": "gauge",
    "rabbitmq_queue_consumers": "gauge",
}

PROMETHEUS = {"up": "gauge"}

SERVICES = ("proposals", "disbursement", "notifications", "reporting", "registry")


def expected_from(service: str) -> dict[str, str]:
    """The metric families one grantflow service must export."""
    return {**EVERY_SERVICE, **BY_SERVICE.get(service, {})}


ALL: dict[str, str] = {
    **EVERY_SERVICE,
    **{name: kind for metrics in BY_SERVICE.values() for name, kind in metrics.items()},
    **RABBITMQ,
    **PROMETHEUS,
}


def exporters(family: str) -> set[str]:
    """Which grantflow services export `family` (empty for RabbitMQ's and Prometheus's)."""
    if family in EVERY_SERVICE:
        return set(SERVICES)
    return {service for service, metrics in BY_SERVICE.items() if family in metrics}


def family(sample_name: str) -> str | None:
    """The catalogued family a selector's name belongs to (histograms' _bucket/_sum/_count)."""
    if sample_name in ALL:
        return sample_name
    for suffix in ("_bucket", "_sum", "_count"):
        base = sample_name.removesuffix(suffix)
        if base != sample_name and ALL.get(base) == "histogram":
            return base
    return None


def selectors(expr: str) -> list[str | None]:
    """The metric name of every vector selector in a PromQL expression (None: unnamed)."""
    try:
        import promql_parser
    except ImportError:
        pytest.fail(
            "promql-parser is not installed: run `bash scripts/install-deploy-tools` first",
            pytrace=False,
        )
    names: list[str | None] = []

    def walk(node: object) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            names.append(node.name)
            return
        for attr in ("lhs", "rhs", "expr", "vector_selector", "param"):
            child = getattr(node, attr, None)
            if child is not None:
                walk(child)
        for child in getattr(node, "args", None) or []:
            walk(child)

    walk(promql_parser.parse(expr))
    return names


def registered() -> dict[str, type]:
    """Every service `grantflow run` knows (grantflow_tools.registry), by name: its class."""
    from grantflow_tools.registry import SERVICES as REGISTERED

    return {name: entry.load() for name, entry in REGISTERED.items()}


def consumer_queues() -> dict[str, set[str]]:
    """The queue of each ingest entrypoint of each registered service (its own queues only:
    the shared dead-letter queue that reporting consumes is not one service's)."""
    import inspect

    from grantflow.config import settings
    from grantflow.ingest.consumer import DeadLetterIngest, Ingest

    cfg = settings()
    queues: dict[str, set[str]] = {}
    for name, cls in registered().items():
        for _, member in inspect.getmembers(cls):
            for entrypoint in getattr(member, "nameko_entrypoints", ()):
                if isinstance(entrypoint, Ingest) and not isinstance(entrypoint, DeadLetterIngest):
                    events = entrypoint.from_domain_events
                    exchange = cfg.events_exchange if events else cfg.lifecycle_exchange
                    queues.setdefault(name, set()).add(f"{exchange}.{name}")
    return queues
