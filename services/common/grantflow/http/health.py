"""Readiness: does every database of the service answer, is every consumer connected."""

from __future__ import annotations

import logging
from typing import Any

from nameko.extensions import DependencyProvider
from sqlalchemy import text

log = logging.getLogger(__package__)  # "grantflow.http", the name its log lines always had


class Health(DependencyProvider):
    """Readiness: every database of the service answers and every consumer is connected."""

    def get_dependency(self, worker_ctx: Any) -> Health:
        return self

    def checks(self) -> dict[str, bool]:
        from grantflow.db import Database
        from grantflow.ingest import Ingest

        databases = [d for d in self.container.dependencies if isinstance(d, Database)]
        consumers = [e for e in self.container.entrypoints if isinstance(e, Ingest)]
        return {
            "database": all(_answers(d) for d in databases),
            "broker": all(c.connected for c in consumers),
        }


def _answers(database: Any) -> bool:
    try:
        with database.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception as exc:
        log.warning("readiness: database unreachable: %s", exc)
        return False
