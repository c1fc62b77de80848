"""A proposal: its timeline, tranches with status, the ledger and outputs against targets."""

from __future__ import annotations

from typing import Any

from eventlet.greenpool import GreenPool

from workspace.adapters.services import ServiceApis
from workspace.adapters.session import Session
from workspace.errors import NotFound
from workspace.views.i18n import table


def proposal_page(apis: ServiceApis, session: Session, proposal_id: str) -> dict[str, Any]:
    """A proposal outside the visitor's provinces answers 403 at the proposals service, which
    the workspace shows as not found: it does not say whether the id exists."""
    pool = GreenPool(2)
    ledger = pool.spawn(_ledger, apis, session.token, proposal_id)
    detail = apis.get("proposals", f"/api/v1/proposals/{proposal_id}", session.token)
    try:
        book = ledger.wait()
    except NotFound:
        book = None
    tranches = (book or {}).get("tranches") or [
        t | {"due_total_vnd": None, "status": None} for t in detail.get("tranches") or []
    ]
    targets = detail.get("targets") or {}
    outputs = detail.get("outputs") or {}
    measures = sorted(set(targets) | set(outputs))
    output_rows = [
        {
            "measure": m,
            "target": targets.get(m),
            "achieved": outputs.get(m, 0),
            "share": (outputs.get(m, 0) / targets[m]) if targets.get(m) else None,
        }
        for m in measures
    ]
    return {
        "p": detail,
        "book": book,
        "tables": {
            "timeline": table("timeline", detail.get("history") or []),
            "tranches": table("tranches", tranches),
            "ledger": table("ledger", (book or {}).get("entries") or []),
            "outputs": table("outputs", output_rows),
        },
    }


def _ledger(apis: ServiceApis, token: str, proposal_id: str) -> dict[str, Any] | None:
    return apis.get("disbursement", f"/api/v1/proposals/{proposal_id}/ledger", token)
