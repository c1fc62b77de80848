"""The registry's copy of support: one row per proposal (amounts, outcome) and the
beneficiaries it names, written from the proposals' and disbursement's domain events.

Events may arrive in any order: each sets only the fields it carries, and the state follows
the proposal's highest version.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from grantflow.contract import Envelope
from grantflow.db import for_update, insert
from grantflow.trust import emitted_by
from registry.adapters.tables import support, support_beneficiary

PROPOSAL_EVENTS = emitted_by("grantflow/proposals")
KEYS = ("province", "year", "source_fund", "activity")
# event -> {column: field of the event's data}
AMOUNTS = {
    "proposal_submitted": {
        "title": "title",
        "requested_vnd": "requested_vnd",
        "planned_start": "planned_start",
        "planned_end": "planned_end",
    },
    "proposal_approved": {"approved_vnd": "approved_vnd"},
    "contract_signed": {"contract_vnd": "amount_vnd"},
    "proposal_settled": {"settled_vnd": "settled_vnd"},
}


def record(session: Session, event: Envelope) -> None:
    """What `event` tells of its proposal's support, upserted in the caller's transaction."""
    d, pid = event.data, event.data["proposal_id"]
    query = select(support).where(support.c.proposal_id == pid)
    found = session.execute(for_update(session, query)).first()
    row: dict[str, Any] = (
        dict(found._mapping)
        if found
        else {"proposal_id": pid, "version": 0, "paid_vnd": 0, **{k: d[k] for k in KEYS}}
    )
    newer = event.type in PROPOSAL_EVENTS and (event.version or 0) > row["version"]
    if newer:
        row.update({k: d[k] for k in KEYS}, state=d["state"], version=event.version)
    for column, name in AMOUNTS.get(event.type, {}).items():
        row[column] = d[name]
    if event.type == "disbursement_recorded":
        row["paid_vnd"] = max(row["paid_vnd"], d["paid_total_vnd"])
    if event.type == "proposal_submitted" and (newer or not found):
        row["cluster_id"] = d.get("cluster_id")
        _link(session, pid, d.get("beneficiary_ids", []))
    stmt = insert(session, support).values(row)
    changed = {k: stmt.excluded[k] for k in row if k != "proposal_id"}
    session.execute(stmt.on_conflict_do_update(index_elements=["proposal_id"], set_=changed))


def _link(session: Session, proposal_id: str, beneficiary_ids: list[str]) -> None:
    """The beneficiaries the proposal names, as its latest submission names them."""
    link = support_beneficiary
    session.execute(delete(link).where(link.c.proposal_id == proposal_id))
    rows = [{"proposal_id": proposal_id, "beneficiary_id": b} for b in beneficiary_ids]
    if rows:
        session.execute(link.insert(), rows)
