"""What a dead letter carries: the reason in its headers, and a refused entry in the audit trail.

The body goes to the dead-letter queue unchanged; everything said about it is in headers.
"""

from __future__ import annotations

import json
import re
from typing import Any

from grantflow.audit import REFUSED, Entry
from grantflow.contract import Envelope
from grantflow.errors import Refused


def dead_letter_headers(message: Any, error: Refused, service: str) -> dict[str, Any]:
    """The message's own headers plus why it was refused, by which service, and where from."""
    headers = dict(message.headers or {})
    headers.update(
        {
            "x-error-code": error.code,
            "x-error-detail": header_text(error.detail),
            "x-grantflow-service": service,
            "x-original-exchange": message.delivery_info.get("exchange", ""),
            "x-original-routing-key": message.delivery_info.get("routing_key", ""),
        }
    )
    return headers


def refused_entry(message: Any, error: Refused, envelope: Envelope | None) -> Entry:
    """A dead letter is a refused attempt, the actor being the event's source (read from the
    body when the event did not parse)."""
    readable = envelope is None and error.code != "too_large"
    raw = _raw_fields(message.body) if readable else {}
    source = envelope.source if envelope else raw.get("source")
    data = envelope.data if envelope else raw.get("data")
    proposal_id = data.get("proposal_id") if isinstance(data, dict) else None
    return Entry(
        actor=source or "unknown",
        action=envelope.type if envelope else (raw.get("type") or "invalid"),
        outcome=REFUSED,
        source=source,
        event_id=envelope.id if envelope else raw.get("id"),
        subject=envelope.subject if envelope else raw.get("subject"),
        proposal_id=plain_text(proposal_id, 64) if isinstance(proposal_id, str) else None,
        code=error.code,
        detail=f"dead-lettered: {header_text(error.detail)}",
    )


def body_object(body: Any) -> dict[str, Any]:
    """A message body's JSON object, or {} when it is not one (unparseable, a list...)."""
    try:
        raw = json.loads(body)
    except (ValueError, TypeError, RecursionError):
        return {}
    return raw if isinstance(raw, dict) else {}


def _raw_fields(body: Any) -> dict[str, Any]:
    """The text fields of an unparseable event that still are readable (source, type, id)."""
    raw = body_object(body)
    fields: dict[str, Any] = {
        k: plain_text(raw[k], 200)
        for k in ("source", "type", "id", "subject")
        if isinstance(raw.get(k), str)
    }
    if isinstance(raw.get("data"), dict):
        fields["data"] = raw["data"]
    return fields


def header_text(text: str, limit: int = 1000) -> str:
    """`text` on one line, cut to `limit` characters, as a header can carry it."""
    return plain_text(" ".join(text.split()), limit)


def plain_text(text: str, limit: int) -> str:
    """`text` without NUL or lone surrogates, cut to `limit` characters: what any text
    column can store."""
    return _UNSTORABLE.sub("\ufffd", text)[:limit]


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
