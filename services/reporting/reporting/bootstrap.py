"""Reporting's wiring: its dependencies, and its settings read once when it starts."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from nameko.dependency_providers import Config

from grantflow.audit import AuditLog, AuditTrail
from grantflow.auth import Principal
from grantflow.config import Settings, settings
from grantflow.db import Database
from grantflow.http import Caller, Observable
from grantflow.relay import OutboxRelay
from grantflow.startup import AtStart
from reporting.adapters import tables
from reporting.adapters.business import Business
from reporting.adapters.tables import outbox
from reporting.config import ReportingSettings, reporting_settings
from reporting.domain.lag import LagRules


@dataclass(frozen=True)
class Configured:
    shared: Settings
    own: ReportingSettings
    rules: LagRules


@cache
def configured() -> Configured:
    """The shared settings, reporting's own and the lag rules they make, read once."""
    shared, own = settings(), reporting_settings()
    return Configured(shared, own, own.rules(shared.repayment_grace_days))


class Wiring(Observable):
    """Every dependency of the reporting service, in one place."""

    db = Database()
    config = Config()
    relay = OutboxRelay(outbox, db)
    business = Business(lambda: configured().own.metric_years)
    caller: Principal = Caller()
    audit: AuditLog = AuditTrail(tables.audit, db)
    cfg: Configured = AtStart(configured)
