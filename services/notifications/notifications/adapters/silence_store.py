"""Silences, and what each one held back from whom."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from grantflow.db import insert
from notifications.adapters.rows import record, utc
from notifications.adapters.tables import held, silence
from notifications.domain.model import Silence


def to_silence(row: Any) -> Silence:
    """The silence a `silence` table row holds."""
    return record(Silence, row, starts_at=utc(row.starts_at), ends_at=utc(row.ends_at))


def silences_in_force(session: Session, now: datetime) -> list[Silence]:
    """Silences that have not ended (including those that start later)."""
    query = select(silence).where(silence.c.ends_at > now).order_by(silence.c.starts_at)
    return [to_silence(r) for r in session.execute(query)]


def find_silence(session: Session, sid: str) -> Silence | None:
    row = session.execute(select(silence).where(silence.c.id == sid)).first()
    return to_silence(row) if row else None


def add_silence(session: Session, s: Silence, now: datetime) -> None:
    session.execute(silence.insert().values(asdict(s) | {"created_at": now}))


def end_silence(session: Session, sid: str, now: datetime) -> None:
    """The silence ends now, unless it has ended already."""
    session.execute(
        update(silence).where(silence.c.id == sid, silence.c.ends_at > now).values(ends_at=now)
    )


def add_held(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Record what silences held back; a row recorded already is left alone."""
    if rows:
        session.execute(insert(session, held).values(list(rows)).on_conflict_do_nothing())
