"""Alembic for every service: each has its own scripts and its own version table."""

from __future__ import annotations

from typing import Any

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, text

from grantflow.db import is_postgres, make_engine
from grantflow.registry import ServiceEntry

LOCK_KEY = 7_420_160_001  # one advisory lock: concurrent `grantflow migrate` runs queue up


def upgrade(service: ServiceEntry, url: str, revision: str = "head") -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(service.migrations))
    cfg.attributes["url"] = url
    cfg.attributes["version_table"] = service.version_table
    command.upgrade(cfg, revision)


def run_env(target_metadata: MetaData) -> None:
    """Called from each service's migrations/env.py (online mode only)."""
    cfg = context.config
    engine = make_engine(cfg.attributes["url"])
    with engine.connect() as connection:
        postgres = is_postgres(connection)
        if postgres:
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": LOCK_KEY})
            connection.commit()
        try:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                version_table=cfg.attributes["version_table"],
                render_as_batch=not postgres,
            )
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if postgres:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
                connection.commit()
    engine.dispose()


def migrate_all(services: list[ServiceEntry], url: str, echo: Any = print) -> None:
    for service in services:
        upgrade(service, url)
        echo(f"{service.name}: migrations applied")
