"""The registry service's wiring: its dependencies, and its settings read once at start."""

from __future__ import annotations

from grantflow.audit import AuditLog, AuditTrail
from grantflow.auth import Principal
from grantflow.db import Database
from grantflow.http import Caller, Observable
from grantflow.relay import OutboxRelay
from registry.adapters import tables
from registry.adapters.tables import outbox


class Wiring(Observable):
    """Every dependency of the registry service, in one place."""

    db = Database()
    relay = OutboxRelay(outbox, db)
    caller: Principal = Caller()
    audit: AuditLog = AuditTrail(tables.audit, db)
