"""What every service's migrations/env.py runs: one advisory lock, its own version table."""

from __future__ import annotations

from alembic import context
from sqlalchemy import MetaData, text

from grantflow.db import is_postgres, make_engine

LOCK_KEY = 7_420_160_001  # one advisory lock: concurrent `grantflow migrate` runs queue up


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
