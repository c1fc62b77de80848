"""The dead-letter store: what every service dead-lettered, kept, listed and re-driven."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from grantflow.amqp import connect, persistent_message
from grantflow.contract import CONTENT_TYPE
from grantflow.errors import Early, Refused, is_data_error
from grantflow.ingest import RawMessage
from grantflow.ingest.dead_letters import body_object, plain_text
from grantflow.outcomes import Applied, NotApplied, Outcome
from reporting.adapters.tables import dead_letter


def _text(value: Any, limit: int | None) -> str | None:
    """A header value as text a column can hold (no NUL, no lone surrogate, cut to `limit`)."""
    if value is None:
        return None
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return plain_text(text, limit or len(text))


def _envelope_fields(body: bytes) -> dict[str, str | None]:
    event = body_object(body)
    return {k: _text(event.get(k), 200) for k in ("source", "type", "id")}


def _row(m: RawMessage, now: datetime) -> dict[str, Any]:
    fields = _envelope_fields(m.body)
    return {
        "code": _text(m.headers.get("x-error-code"), 100) or "unknown",
        "detail": _text(m.headers.get("x-error-detail"), 10_000) or "",
        "service": _text(m.headers.get("x-grantflow-service"), 50),
        "source": fields.get("source"),
        "type": fields.get("type"),
        "event_id": fields.get("id"),
        "routing_key": _text(m.headers.get("x-original-routing-key"), 200) or fields.get("type"),
        "body": bytes(m.body),
        "received_at": now,
    }


def store(session: Session, messages: Sequence[RawMessage]) -> list[Outcome]:
    """Keep every dead letter, whatever it holds: the texts made storable, the body as bytes.
    Should the database still refuse a row, the rows are kept one by one, and a row it
    refuses is kept with its body alone. Only a database that is down leaves them queued."""
    rows = [_row(m, datetime.now(UTC)) for m in messages]
    try:
        session.execute(dead_letter.insert(), rows)
        session.commit()
        return [Applied() for _ in messages]
    except Exception as exc:
        session.rollback()
        if not is_data_error(exc):
            return [NotApplied(Early("handler_error", type(exc).__name__)) for _ in messages]
    return [_store_alone(session, row) for row in rows]


def _store_alone(session: Session, row: dict[str, Any]) -> Outcome:
    for attempt in (row, _bare(row)):
        try:
            session.execute(dead_letter.insert(), [attempt])
            session.commit()
            return Applied()
        except Exception as exc:
            session.rollback()
            if not is_data_error(exc):
                return NotApplied(Early("handler_error", type(exc).__name__))
    return NotApplied(Refused("unstorable", "the dead letter could not be stored"))


def _bare(row: dict[str, Any]) -> dict[str, Any]:
    detail = "stored without its headers: the database refused them"
    bare = {k: None for k in ("service", "source", "type", "event_id", "routing_key")}
    return {**row, **bare, "code": "unknown", "detail": detail}


def listing(session: Session, code: str | None, limit: int, offset: int) -> dict[str, Any]:
    where = [dead_letter.c.code == code] if code else []
    total = session.execute(select(func.count()).select_from(dead_letter).where(*where)).scalar()
    rows = session.execute(
        select(dead_letter)
        .where(*where)
        .order_by(dead_letter.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return {
        "items": [_public(r) for r in rows],
        "total": int(total or 0),
        "limit": limit,
        "offset": offset,
    }


def _public(r: Any) -> dict[str, Any]:
    try:
        body, encoding = r.body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        body, encoding = base64.b64encode(r.body).decode(), "base64"
    return {
        "id": r.id,
        "code": r.code,
        "detail": r.detail,
        "service": r.service,
        "source": r.source,
        "type": r.type,
        "event_id": r.event_id,
        "time": r.received_at.isoformat(),
        "body": body,
        "body_encoding": encoding,
        "redriven_at": r.redriven_at.isoformat() if r.redriven_at else None,
    }


def redrive(session: Session, dead_id: int, amqp_uri: str, lifecycle: str) -> dict[str, Any]:
    """Publish the body, unchanged, to `grantflow.lifecycle` again (confirmed), once."""
    row = session.execute(
        select(dead_letter).where(dead_letter.c.id == dead_id).with_for_update()
    ).first()
    if row is None:
        raise Refused("not_found", f"no dead letter {dead_id}")
    if row.redriven_at is not None:
        raise Refused("illegal_transition", f"dead letter {dead_id} was re-driven already")
    with connect(amqp_uri) as conn:
        channel = conn.channel()
        channel.confirm_select()
        channel.basic_publish_confirm(
            persistent_message(
                row.body,
                {"content_type": CONTENT_TYPE, "application_headers": {"x-redriven-from": dead_id}},
            ),
            exchange=lifecycle,
            # The contract's routing key is the event's type; a letter that went through the
            # retry queues was last routed by its ingest queue's name, which no binding takes.
            routing_key=row.type or row.routing_key or "",
            mandatory=True,
        )
    session.execute(
        update(dead_letter).where(dead_letter.c.id == dead_id).values(redriven_at=datetime.now(UTC))
    )
    session.commit()
    return _public(session.execute(select(dead_letter).where(dead_letter.c.id == dead_id)).one())
