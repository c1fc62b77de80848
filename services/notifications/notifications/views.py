"""The read side: recipients, alerts (with what silences hold back), silences, deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from notifications.adapters import alert_store, recipient_store, silence_store
from notifications.adapters.rows import utc
from notifications.adapters.tables import alert, delivery, held, recipient, silence
from notifications.domain.model import Recipient, Silence, muting


def _iso(value: datetime | None) -> str | None:
    found = utc(value)
    return found.isoformat() if found else None


def _given(query: Select[Any], *filters: tuple[ColumnElement[Any], str | None]) -> Select[Any]:
    """The query narrowed to each column equal to its value, where a value is given."""
    for column, value in filters:
        if value:
            query = query.where(column == value)
    return query


def recipient_json(r: Recipient) -> dict[str, Any]:
    return r.fields()


def recipients(session: Session) -> dict[str, Any]:
    return {"items": [recipient_json(r) for r in recipient_store.recipients(session)]}


def silence_json(s: Silence, now: datetime, held_count: int | None = None) -> dict[str, Any]:
    state = "active" if s.active(now) else ("pending" if now < s.starts_at else "expired")
    body = s.fields() | {"state": state}
    if held_count is not None:
        body["held_count"] = held_count
    return body


def silences(session: Session, now: datetime, state: str | None) -> dict[str, Any]:
    counts = dict(
        session.execute(select(held.c.silence_id, func.count()).group_by(held.c.silence_id)).all()
    )
    rows = session.execute(select(silence).order_by(silence.c.starts_at.desc(), silence.c.id))
    items = [
        silence_json(s, now, counts.get(s.id, 0))
        for s in (silence_store.to_silence(r) for r in rows)
    ]
    return {"items": [i for i in items if state is None or i["state"] == state]}


def silence_detail(session: Session, sid: str, now: datetime) -> dict[str, Any] | None:
    s = silence_store.find_silence(session, sid)
    if s is None:
        return None
    rows = session.execute(
        select(held, recipient.c.email)
        .join(recipient, recipient.c.id == held.c.recipient_id, isouter=True)
        .where(held.c.silence_id == sid)
        .order_by(held.c.held_at, held.c.fingerprint)
    ).all()
    body = silence_json(s, now, len(rows))
    body["held"] = [
        {
            "fingerprint": r.fingerprint,
            "episode": r.episode,
            "level": r.level,
            "recipient_id": r.recipient_id,
            "recipient_email": r.email,
            "held_at": _iso(r.held_at),
        }
        for r in rows
    ]
    return body


def alerts(
    session: Session,
    now: datetime,
    status: str | None,
    province: str | None,
    kind: str | None,
    silenced: bool | None,
) -> dict[str, Any]:
    query = _given(
        select(alert).order_by(alert.c.updated_at.desc(), alert.c.fingerprint),
        (alert.c.status, status),
        (alert.c.province, province),
        (alert.c.kind, kind),
    )
    in_force = silence_store.silences_in_force(session, now)
    rows = session.execute(query.limit(1000)).all()
    held_by: dict[tuple[str, int], set[str]] = {}
    listed = [r.fingerprint for r in rows]
    for fp, episode, sid in session.execute(
        select(held.c.fingerprint, held.c.episode, held.c.silence_id).where(
            held.c.fingerprint.in_(listed)
        )
    ):
        held_by.setdefault((fp, episode), set()).add(sid)
    items = []
    for row in rows:
        a = alert_store.to_alert(row)
        muted = muting(in_force, a, now)
        if silenced is not None and (muted is not None) != silenced:
            continue
        items.append(
            alert_store.alert_fields(a)
            | {
                "starts_at": a.starts_at.isoformat(),
                "updated_at": a.updated_at.isoformat(),
                "silenced_by": muted.id if muted else None,
                "held_by_silences": sorted(held_by.get((a.fingerprint, a.episode), ())),
                "last_event_id": row.last_event_id,
                "data": a.data,
            }
        )
    return {"items": items}


def deliveries(
    session: Session,
    status: str | None,
    kind: str | None,
    recipient_id: str | None,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    query = _given(
        select(delivery),
        (delivery.c.status, status),
        (delivery.c.kind, kind),
        (delivery.c.recipient_id, recipient_id),
    )
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(delivery.c.id.desc()).limit(limit).offset(offset))
    return {
        "items": [
            {
                "id": r.id,
                "message_id": r.message_id,
                "kind": r.kind,
                "group": r.group_key,
                "recipient_id": r.recipient_id,
                "recipient_email": r.recipient_email,
                "language": r.language,
                "subject": r.subject,
                "alerts": r.alerts,
                "fingerprint": r.fingerprint,
                "window": r.window,
                "status": r.status,
                "attempts": r.attempts,
                "last_error": r.last_error,
                "created_at": _iso(r.created_at),
                "next_attempt_at": _iso(r.next_attempt_at) if r.status == "pending" else None,
                "sent_at": _iso(r.sent_at),
            }
            for r in rows
        ],
        "total": total,
        "limit": limit,
        "offset": offset,
    }
