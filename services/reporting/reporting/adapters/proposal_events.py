"""What the proposals service's events write: the proposal row and its state, progress
reports, and for a cancelled contract the release of what was not disbursed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from grantflow.contract import Envelope
from grantflow.db import insert
from reporting.adapters.rows import add_money, day
from reporting.adapters.tables import money, progress, proposal


def _set(session: Session, e: Envelope, **values: Any) -> None:
    session.execute(
        update(proposal)
        .where(proposal.c.proposal_id == e.data["proposal_id"])
        .values(state=e.data["state"], **values)
    )


def submitted(session: Session, e: Envelope) -> None:
    """The proposal's row as submitted, replacing one already there."""
    d = e.data
    row = {
        "proposal_id": d["proposal_id"],
        "province": d["province"],
        "year": d["year"],
        "source_fund": d["source_fund"],
        "activity": d["activity"],
        "title": d["title"],
        "state": d["state"],
        "requested_vnd": d["requested_vnd"],
        "submitted_day": day(e.on),
        "planned_start_day": day(d["planned_start"]),
        "planned_end_day": day(d["planned_end"]),
        "targets": d["targets"] or {},
        "closed_day": None,
        "has_beneficiary": 1 if (d.get("beneficiary") or {}).get("name") else 0,
    }
    if d["state"] == "cancelled":  # a resubmission dated before the cancellation, late: history
        del row["closed_day"]
    stmt = insert(session, proposal).values(row)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["proposal_id"],
            set_={k: stmt.excluded[k] for k in row if k != "proposal_id"},
        )
    )


def progress_reported(session: Session, e: Envelope) -> None:
    """The new state, and a progress row as of the report's date."""
    d = e.data
    _set(session, e)
    session.execute(
        progress.insert().values(
            proposal_id=d["proposal_id"],
            version=e.version or 0,
            as_of_day=day(d["as_of"]),
            percent_complete=d["percent_complete"],
            outputs=d["outputs"] or {},
            final=0,
        )
    )


def accepted(session: Session, e: Envelope) -> None:
    """The acceptance day, and a final progress row at 100 %."""
    d = e.data
    _set(session, e, accepted_day=day(d["accepted_on"]))
    session.execute(
        progress.insert().values(
            proposal_id=d["proposal_id"],
            version=e.version or 0,
            as_of_day=day(d["accepted_on"]),
            percent_complete=100.0,
            outputs=d["outputs"] or {},
            final=1,
        )
    )


def cancelled(session: Session, e: Envelope) -> None:
    """A cancelled contract releases what was committed and not disbursed."""
    _set(session, e, closed_day=day(e.on))
    _release_unpaid(session, e, e.on)


def contract_signed(session: Session, e: Envelope) -> None:
    """The contract; one recorded after its proposal's cancellation (`cancelled_on`) is
    released at once, as of the cancellation, for what was not disbursed."""
    d = e.data
    _set(session, e, contract_vnd=d["amount_vnd"], signed_day=day(d["signed_on"]))
    if d.get("cancelled_on"):
        _release_unpaid(session, e, d["cancelled_on"])


def _release_unpaid(session: Session, e: Envelope, on: str | date) -> None:
    pid = e.data["proposal_id"]
    row = session.execute(
        select(proposal.c.contract_vnd).where(proposal.c.proposal_id == pid)
    ).scalar()
    if row:
        paid = session.execute(
            select(func.coalesce(func.sum(money.c.amount_vnd), 0)).where(
                money.c.proposal_id == pid, money.c.kind == "disbursed"
            )
        ).scalar()
        if row - int(paid) > 0:
            add_money(session, e, "release", row - int(paid), on)


WRITES: dict[str, Callable[[Session, Envelope], None]] = {
    "proposal_submitted": submitted,
    "proposal_appraised": lambda s, e: _set(s, e),
    "proposal_approved": lambda s, e: _set(
        s, e, approved_vnd=e.data["approved_vnd"], approved_day=day(e.data["approved_on"])
    ),
    "proposal_rejected": lambda s, e: _set(s, e, closed_day=day(e.on)),
    "contract_signed": contract_signed,
    "progress_reported": progress_reported,
    "proposal_accepted": accepted,
    "proposal_settled": lambda s, e: _set(s, e, settled_day=day(e.data["settled_on"])),
    "proposal_cancelled": cancelled,
}
EVENTS = tuple(WRITES)
