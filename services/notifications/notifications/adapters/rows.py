"""Reading rows back: timestamps in UTC (SQLite gives naive ones), records from rows."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any, TypeVar

from grantflow import db

R = TypeVar("R")


def utc(value: datetime | None) -> datetime | None:
    """SQLite gives naive timestamps back: they were written in UTC."""
    return None if value is None else db.utc(value)


def record(cls: type[R], row: Any, **converted: Any) -> R:
    """The `cls` a table row holds: each field from the column of its name, `converted` ones
    (a level, a status, a time) given instead."""
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    return cls(**{n: getattr(row, n) for n in names if n not in converted}, **converted)
