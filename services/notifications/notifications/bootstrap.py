"""The notifications service's wiring: its dependencies, given to each other here, and its
settings (`NotifySettings`), read once when the service starts."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from nameko.extensions import DependencyProvider

from grantflow.audit import AuditLog, AuditTrail
from grantflow.auth import Principal
from grantflow.db import Database
from grantflow.http import Caller, Observable
from grantflow.metrics import ServiceMetrics
from notifications.adapters import tables
from notifications.adapters.email_metrics import EmailMetrics
from notifications.config import NotifySettings
from notifications.handlers.commands import load_recipients_file
from notifications.handlers.mail import Mail

log = logging.getLogger(__name__)


def now_utc() -> datetime:
    """The one clock of the service: aware UTC, so stored times compare."""
    return datetime.now(UTC)


class Mailroom(DependencyProvider):
    """Injects the service's `Mail`, built from `NotifySettings` when the service starts; its
    sessions come from `database`, the service's own, given in `Wiring`. At start it makes the
    recipients table match RECIPIENTS_FILE, when one is set."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def setup(self) -> None:
        cfg = NotifySettings.load(self.container.config)
        shared = ServiceMetrics.of(self.container)
        metrics = EmailMetrics(shared.service, shared.registry)
        self.cfg = cfg
        self.mail = Mail.of(cfg, metrics, self.database.new_session, now_utc)
        where = f"{cfg.smtp_host}:{cfg.port} ({cfg.smtp_security})" if cfg.smtp_host else None
        log.info("emails go to %s", where or f".eml files under {cfg.mail_dir}")

    def start(self) -> None:
        path = self.cfg.recipients_file
        if path is None:
            return
        with self.database.new_session() as session:
            count = load_recipients_file(session, path, now_utc())
        log.info("%d recipients from %s", count, path)

    def get_dependency(self, worker_ctx: Any) -> Mail:
        return self.mail


class Wiring(Observable):
    """Every dependency of the notifications service, in one place."""

    db = Database()
    mail = Mailroom(db)
    caller: Principal = Caller()
    audit: AuditLog = AuditTrail(tables.audit, db)
