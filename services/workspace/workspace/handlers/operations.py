"""Operations: dead letters by code with their bodies, re-drive with a confirmation, and each
service's outbox backlog (read from its /metrics)."""

from __future__ import annotations

import base64
from collections import Counter
from typing import Any

from workspace.adapters.services import ServiceApis
from workspace.adapters.session import Session
from workspace.errors import NotFound
from workspace.views.i18n import table

OPERATORS = frozenset({"central_officer", "auditor"})


def require_operator(session: Session) -> None:
    if session.role not in OPERATORS:
        raise NotFound("operations are for the central office and auditors")


def operations_page(apis: ServiceApis, session: Session, code: str | None) -> dict[str, Any]:
    require_operator(session)
    everything = apis.get("reporting", "/api/v1/dead-letters", session.token, limit=500)
    by_code = Counter(d["code"] for d in everything["items"])
    items = [with_text(d) for d in everything["items"] if not code or d["code"] == code]
    backlog = apis.outbox_backlog()
    return {
        "code": code or "",
        "codes": sorted(by_code),
        "may_redrive": session.role == "central_officer",
        "tables": {
            "dead_letters": table("dead_letters", items),
            "codes": table("codes", [{"code": c, "count": n} for c, n in sorted(by_code.items())]),
            "backlog": table("backlog", [{"service": s, "backlog": n} for s, n in backlog.items()]),
        },
    }


def dead_letter(apis: ServiceApis, session: Session, dead_id: int) -> dict[str, Any]:
    require_operator(session)
    offset = 0
    while True:
        page = apis.get(
            "reporting", "/api/v1/dead-letters", session.token, limit=500, offset=offset
        )
        for item in page["items"]:
            if item["id"] == dead_id:
                return with_text(item)
        offset += len(page["items"])
        if not page["items"] or offset >= page["total"]:
            raise NotFound(f"no dead letter {dead_id}")


def redrive(apis: ServiceApis, session: Session, dead_id: int) -> dict[str, Any]:
    return apis.post("reporting", f"/api/v1/dead-letters/{dead_id}/redrive", session.token)


def with_text(item: dict[str, Any]) -> dict[str, Any]:
    """The body as text a person reads (a base64 body decoded where it is UTF-8)."""
    body = item.get("body") or ""
    if item.get("body_encoding") == "base64":
        raw = base64.b64decode(body)
        body = raw.decode("utf-8", errors="replace")
    return item | {"text": body}
