"""The disbursement service's wiring: its dependencies, and its settings read once at start."""

from __future__ import annotations

from disbursement.adapters import tables
from disbursement.adapters.tables import outbox
from grantflow.audit import AuditLog, AuditTrail
from grantflow.auth import Principal
from grantflow.config import Settings, settings
from grantflow.db import Database
from grantflow.http import Caller, Observable
from grantflow.relay import OutboxRelay
from grantflow.startup import AtStart


class Wiring(Observable):
    """Every dependency of the disbursement service, in one place."""

    db = Database()
    relay = OutboxRelay(outbox, db)
    caller: Principal = Caller()
    audit: AuditLog = AuditTrail(tables.audit, db)
    cfg: Settings = AtStart(settings)
