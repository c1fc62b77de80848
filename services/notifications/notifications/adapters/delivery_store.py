"""Deliveries: one row per email, pending until it is sent or has failed.

With several replicas, each pending delivery is claimed with SKIP LOCKED, so one replica
sends it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from grantflow.db import insert, is_postgres
from notifications.adapters.tables import delivery


def add_deliveries(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Insert new deliveries; a key or Message-ID that exists already is left alone."""
    if not rows:
        return 0
    stmt = insert(session, delivery).values(list(rows)).on_conflict_do_nothing()
    return len(session.execute(stmt.returning(delivery.c.id)).all())


def existing_keys(
    session: Session, keys: Iterable[tuple[str, str, str]]
) -> set[tuple[str, str, str]]:
    """Those of the `(fingerprint, recipient id, window)` keys that have a delivery."""
    wanted = list(keys)
    if not wanted:
        return set()
    fingerprints = {k[0] for k in wanted}
    rows = session.execute(
        select(delivery.c.fingerprint, delivery.c.recipient_id, delivery.c.window).where(
            delivery.c.fingerprint.in_(fingerprints)
        )
    )
    return {tuple(r) for r in rows} & set(wanted)  # type: ignore[misc]


def due_deliveries(session: Session, now: datetime, limit: int) -> list[int]:
    """The ids of pending deliveries due by `now`, the longest waiting first."""
    query = (
        select(delivery.c.id)
        .where(delivery.c.status == "pending", delivery.c.next_attempt_at <= now)
        .order_by(delivery.c.next_attempt_at, delivery.c.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def claim_delivery(session: Session, did: int, now: datetime) -> Any | None:
    """The pending delivery, locked for this worker; None when another replica has it."""
    query = select(delivery).where(
        and_(
            delivery.c.id == did, delivery.c.status == "pending", delivery.c.next_attempt_at <= now
        )
    )
    if is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    return session.execute(query).first()


def record_attempt(session: Session, did: int, **values: Any) -> None:
    """Write what the sending attempts came to (status, attempts, error, next attempt)."""
    session.execute(update(delivery).where(delivery.c.id == did).values(**values))


def pending_count(session: Session) -> int:
    return session.execute(
        select(func.count()).select_from(delivery).where(delivery.c.status == "pending")
    ).scalar_one()
