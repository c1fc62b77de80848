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
from grantflow.errors import Refused
from grantflow.ingest import RawMessage
from grantflow.outcomes import Applied, Outcome
from reporting.adapters.tables import dead_letter


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _envelope_fields(body: bytes) -> dict[str, str | None]:
    import json

    try:
        event = json.loads(body)
    except ValueError:
        return {}
    if not isinstance(event, dict):
        return {}
    return {k: str(event[k])[:200] if k in event else None for k in ("source", "type", "id")}


def store(session: Session, messages: Sequence[RawMessage]) -> list[Outcome]:
    now = datetime.now(UTC)
    rows = []
    for m in messages:
        fields = _envelope_fields(m.body)
        rows.append(
            {
                "code": _text(m.headers.get("x-error-code")) or "unknown",
                "detail": _text(m.headers.get("x-error-detail")) or "",
                "service": _text(m.headers.get("x-grantflow-service")),
                "source": fields.get("source"),
                "type": fields.get("type"),
                "event_id": fields.get("id"),
                "routing_key": _text(m.headers.get("x-original-routing-key")) or fields.get("type"),
                "exchange": _text(m.headers.get("x-original-exchange")),
                "body": m.body,
                "received_at": now,
            }
        )
    session.execute(
        dead_letter.insert(), [{k: v for k, v in r.items() if k != "exchange"} for r in rows]
    )
    session.commit()
    return [Applied() for _ in messages]


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
