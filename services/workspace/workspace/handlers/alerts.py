"""Alerts: open alerts by province and level, silences created and expired from a form, and
the deliveries log."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from workspace.adapters.services import ServiceApis
from workspace.adapters.session import Session
from workspace.errors import BadInput
from workspace.views.i18n import table

VIETNAM = timedelta(hours=7)
KINDS = (
    "province_lagging",
    "proposal_overdue",
    "tranche_overdue",
    "repayment_overdue",
    "refund_due",
)


def alerts_page(apis: ServiceApis, session: Session, province: str | None) -> dict[str, Any]:
    token = session.token
    alerts = apis.get("notifications", "/api/v1/alerts", token, status="firing", province=province)
    order = {"critical": 0, "warning": 1, "watch": 2}
    items = sorted(alerts["items"], key=lambda a: (a["province"], order.get(a["level"], 3)))
    silences = apis.get("notifications", "/api/v1/silences", token)["items"]
    if province:
        silences = [s for s in silences if s.get("province") in (province, None)]
    deliveries = apis.get("notifications", "/api/v1/deliveries", token, limit=200)["items"]
    if province:
        deliveries = [d for d in deliveries if d.get("group") == province]
    return {
        "kinds": KINDS,
        "province": province or "",
        "tables": {
            "alerts": table("alerts", items),
            "silences": table("silences", silences),
            "deliveries": table("deliveries", deliveries),
        },
    }


def create_silence(apis: ServiceApis, session: Session, form: dict[str, str]) -> dict[str, Any]:
    """From the form: province, kind (optional), until (a date, inclusive), comment."""
    province = (form.get("province") or "").strip() or None
    kind = (form.get("kind") or "").strip() or None
    comment = (form.get("comment") or "").strip()
    if kind is not None and kind not in KINDS:
        raise BadInput(f"kind must be one of {', '.join(KINDS)}")
    if not comment:
        raise BadInput("a silence needs a comment saying why")
    try:
        until = date.fromisoformat((form.get("until") or "").strip())
    except ValueError:
        raise BadInput("until must be a date") from None
    # Until the end of that day in Vietnam time.
    ends = datetime.combine(until + timedelta(days=1), time(0), tzinfo=UTC) - VIETNAM
    body = {
        "province": province,
        "kind": kind,
        "starts_at": datetime.now(UTC).isoformat(),
        "ends_at": ends.isoformat(),
        "comment": comment,
        "created_by": session.sub,
    }
    return apis.post("notifications", "/api/v1/silences", session.token, body)


def expire_silence(apis: ServiceApis, session: Session, silence_id: str) -> None:
    apis.delete("notifications", f"/api/v1/silences/{silence_id}", session.token)
