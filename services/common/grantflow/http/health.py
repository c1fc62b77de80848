"""Readiness: does the service's database answer, is every consumer connected."""

from __future__ import annotations

import logging
from typing import Any

from nameko.extensions import DependencyProvider
from sqlalchemy import text
from sqlalchemy.orm import Session

log = logging.getLogger(__package__)  # "grantflow.http", the name its log lines always had


class Health(DependencyProvider):
    """Readiness: the database answers the worker's session (the service's own `db`, so no
    search for it) and every consumer of the container is connected."""

    def get_dependency(self, worker_ctx: Any) -> Health:
        return self

    def checks(self, session: Session | None = None) -> dict[str, bool]:
        """`session`: the worker's, from the service's `db`; None for a service without one."""
        from grantflow.ingest import Ingest

        consumers = [e for e in self.container.entrypoints if isinstance(e, Ingest)]
        return {
            "database": session is None or _answers(session),
            "broker": all(c.connected for c in consumers),
        }


def _answers(session: Session) -> bool:
    try:
        session.execute(text("SELECT 1"))
        return True
    except Exception as exc:
        log.warning("readiness: database unreachable: %s", exc)
        return False
