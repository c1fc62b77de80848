"""The service's mail kit (settings, templates, mailer, retry policy, metrics) and its timers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from nameko.extensions import DependencyProvider
from prometheus_client import Counter, Gauge, Histogram
from sqlalchemy.orm import Session

from grantflow.db import Database
from grantflow.metrics import ServiceMetrics
from notifications.adapters.mailer import RetryPolicy, mailer_for
from notifications.config import NotifySettings
from notifications.content import Renderer

log = logging.getLogger(__name__)

OUTCOMES = ("sent", "retried", "deferred", "failed")


class EmailMetrics:
    """The email metrics, in the service's own registry (next to its RED metrics)."""

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

    @classmethod
    def of(cls, container: Any) -> EmailMetrics:
        found = getattr(container, "_grantflow_email_metrics", None)
        if found is None:
            shared = ServiceMetrics.of(container)
            found = cls(shared.service, shared.registry)
            container._grantflow_email_metrics = found
        return found


@dataclass
class Kit:
    """What the application functions need to render, send and count emails: plain values
    built once when the service starts, no nameko object."""

    renderer: Renderer
    mailer: Any
    retry: RetryPolicy
    metrics: EmailMetrics
    sender: Any
    domain: str
    repeat_interval: timedelta
    group_wait: float
    flush_interval: timedelta
    defer: timedelta
    give_up_after: timedelta
    digest_hour: int
    concurrency: int = 4
    new_session: Callable[[], Session] | None = None  # the sender's: one session per email


class Notifier(DependencyProvider):
    """Injects the service's `Kit`, built from `NotifySettings` when the service starts."""

    def setup(self) -> None:
        cfg = NotifySettings.load(self.container.config)
        self.cfg = cfg
        self.kit = Kit(
            renderer=Renderer(cfg.report_base_url, cfg.workspace_base_url),
            mailer=mailer_for(cfg),
            retry=RetryPolicy.of(cfg),
            metrics=EmailMetrics.of(self.container),
            sender=cfg.sender,
            domain=cfg.sender.domain,
            repeat_interval=timedelta(seconds=cfg.repeat_interval_seconds),
            group_wait=cfg.group_wait_seconds,
            flush_interval=timedelta(seconds=cfg.flush_interval_seconds),
            defer=timedelta(seconds=cfg.smtp_defer_seconds),
            give_up_after=timedelta(seconds=cfg.smtp_give_up_seconds),
            digest_hour=cfg.digest_hour,
        )
        where = f"{cfg.smtp_host}:{cfg.port} ({cfg.smtp_security})" if cfg.smtp_host else None
        log.info("emails go to %s", where or f".eml files under {cfg.mail_dir}")

    def start(self) -> None:
        database = next(d for d in self.container.dependencies if isinstance(d, Database))
        self.kit.new_session = database.new_session  # the sender uses one session per email
        if self.cfg.recipients_file is None:
            return
        from notifications.commands import load_recipients_file

        with Session(database.engine) as session:
            count = load_recipients_file(session, self.cfg.recipients_file)
        log.info("%d recipients from %s", count, self.cfg.recipients_file)

    def get_dependency(self, worker_ctx: Any) -> Kit:
        return self.kit
