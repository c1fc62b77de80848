"""Who received what: the registry's copy of support, built from other services' events.

The proposals service announces every proposal's lifecycle (with the beneficiaries it names)
and the disbursement service every payment; the registry keeps one row per proposal (amounts,
outcome) and its beneficiaries, so a beneficiary's whole history across years, funds and
provinces is one query. Events may arrive in any order: each sets only the fields it carries,
and the state follows the proposal's highest version.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from grantflow.contract import Envelope
from grantflow.db import for_update, insert
from grantflow.outcomes import Applied, Outcome
from registry.adapters.tables import support, support_beneficiary

PROPOSAL_EVENTS = (
    "proposal_submitted",
    "proposal_appraised",
    "proposal_approved",
    "proposal_rejected",
    "contract_signed",
    "progress_reported",
    "proposal_accepted",
    "proposal_settled",
    "proposal_cancelled",
)
HANDLED = (*PROPOSAL_EVENTS, "disbursement_recorded")
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


def apply_events(session: Session, events: Sequence[Envelope]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for event in events:
        record(session, event)
        outcomes.append(Applied())
    return outcomes


def record(session: Session, event: Envelope) -> None:
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
        session.execute(delete(support_beneficiary).where(support_beneficiary.c.proposal_id == pid))
        links = [{"proposal_id": pid, "beneficiary_id": b} for b in d.get("beneficiary_ids", [])]
        if links:
            session.execute(support_beneficiary.insert(), links)
    stmt = insert(session, support).values(row)
    changed = {k: stmt.excluded[k] for k in row if k != "proposal_id"}
    session.execute(stmt.on_conflict_do_update(index_elements=["proposal_id"], set_=changed))
