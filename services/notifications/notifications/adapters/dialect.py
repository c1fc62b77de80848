"""What differs between PostgreSQL and SQLite when the stores read rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from grantflow import db


def is_postgres(session: Session) -> bool:
    """Only PostgreSQL takes row locks (FOR UPDATE, SKIP LOCKED)."""
    return session.get_bind().dialect.name == "postgresql"


def utc(value: datetime | None) -> datetime | None:
    """SQLite gives naive timestamps back: they were written in UTC."""
    return None if value is None else db.utc(value)
