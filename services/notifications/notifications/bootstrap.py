"""The notifications service's wiring: its dependencies, and its settings read once at start
(`Notifier` reads `NotifySettings` when the service starts)."""

from __future__ import annotations

from grantflow.audit import AuditLog, AuditTrail
from grantflow.auth import Principal
from grantflow.db import Database
from grantflow.http import Caller, Observable
from notifications.adapters import tables
from notifications.notifier import Notifier


class Wiring(Observable):
    """Every dependency of the notifications service, in one place."""

    db = Database()
    kit = Notifier()
    caller: Principal = Caller()
    audit: AuditLog = AuditTrail(tables.audit)
