"""Alerts: one row per fingerprint, its level, status and episode.

A batch locks its alert rows after its groups' rows (the lock order in `group_store`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from grantflow.db import insert, is_postgres
from notifications.adapters.rows import record, utc
from notifications.adapters.tables import alert
from notifications.domain.model import Alert, Level, Status


def to_alert(row: Any) -> Alert:
    """The alert an `alert` table row holds."""
    return record(
        Alert,
        row,
        level=Level.of(row.level),
        status=Status(row.status),
        starts_at=utc(row.starts_at),
        updated_at=utc(row.updated_at),
    )


def load_alerts(session: Session, fingerprints: Iterable[str]) -> dict[str, Alert]:
    """The stored alerts among `fingerprints`, locked in fingerprint order."""
    wanted = sorted(set(fingerprints))
    if not wanted:
        return {}
    query = select(alert).where(alert.c.fingerprint.in_(wanted)).order_by(alert.c.fingerprint)
    if is_postgres(session):
        query = query.with_for_update()
    return {r.fingerprint: to_alert(r) for r in session.execute(query)}


def alert_fields(a: Alert) -> dict[str, Any]:
    """What names an alert and says where it stands: stored, and listed by the API."""
    named = ("fingerprint", "kind", "province", "year", "source_fund", "proposal_id")
    return {n: getattr(a, n) for n in named} | {
        "level": a.level.label,
        "status": a.status.value,
        "episode": a.episode,
    }


def save_alerts(session: Session, changed: Sequence[tuple[Alert, str]]) -> None:
    """Upsert `(alert, last event id)` pairs."""
    if not changed:
        return
    rows = [
        alert_fields(a)
        | {
            "version": a.version,
            "revision": a.revision,
            "data": dict(a.data),
            "starts_at": a.starts_at,
            "updated_at": a.updated_at,
            "last_event_id": event_id,
        }
        for a, event_id in changed
    ]
    stmt = insert(session, alert).values(rows)
    keep = {c: getattr(stmt.excluded, c) for c in rows[0] if c != "fingerprint"}
    session.execute(stmt.on_conflict_do_update(index_elements=[alert.c.fingerprint], set_=keep))


def group_alerts(session: Session, key: str) -> list[Alert]:
    """The group's alerts that are firing or resolving, in fingerprint order."""
    query = select(alert).where(
        alert.c.province == key, alert.c.status.in_([Status.FIRING, Status.RESOLVING])
    )
    return [to_alert(r) for r in session.execute(query.order_by(alert.c.fingerprint))]


def alerts_since(session: Session, since: datetime) -> list[Alert]:
    """Alerts firing or resolving now, and those that started or changed since `since`."""
    query = select(alert).where(
        or_(
            alert.c.status.in_([Status.FIRING, Status.RESOLVING]),
            alert.c.updated_at >= since,
            alert.c.starts_at >= since,
        )
    )
    return [to_alert(r) for r in session.execute(query.order_by(alert.c.fingerprint))]


def resolve(session: Session, alerts: Sequence[Alert], now: datetime) -> None:
    """Told: resolving -> resolved, an announced fact -> resolved; unless it changed since."""
    for a in alerts:
        session.execute(
            update(alert)
            .where(alert.c.fingerprint == a.fingerprint, alert.c.revision == a.revision)
            .values(status=Status.RESOLVED.value, revision=a.revision + 1, updated_at=now)
        )
