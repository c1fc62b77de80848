"""What differs between PostgreSQL and SQLite when the stores read rows."""

from __future__ import annotations

from datetime import datetime

from grantflow import db


def utc(value: datetime | None) -> datetime | None:
    """SQLite gives naive timestamps back: they were written in UTC."""
    return None if value is None else db.utc(value)
