"""What the proposals service's events write: the proposal row and its state, progress
reports, and for a cancelled contract the release of what was not disbursed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from grantflow.contract import Envelope
from reporting.adapters.rows import Batch, day


def _set(batch: Batch, e: Envelope, **values: Any) -> None:
    batch.update_proposal(e.data["proposal_id"], {"state": e.data["state"], **values})


def submitted(batch: Batch, e: Envelope) -> None:
    """The proposal's row as submitted, replacing one already there."""
    d = e.data
    row = {
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
    batch.put_proposal(d["proposal_id"], row)


def _progress(batch: Batch, e: Envelope, on: str, percent: float, final: int) -> None:
    d = e.data
    batch.add_progress(
        {
            "proposal_id": d["proposal_id"],
            "version": e.version or 0,
            "as_of_day": day(on),
            "percent_complete": percent,
            "outputs": d["outputs"] or {},
            "final": final,
        }
    )


def progress_reported(batch: Batch, e: Envelope) -> None:
    """The new state, and a progress row as of the report's date."""
    _set(batch, e)
    _progress(batch, e, e.data["as_of"], e.data["percent_complete"], 0)


def accepted(batch: Batch, e: Envelope) -> None:
    """The acceptance day, and a final progress row at 100 %."""
    _set(batch, e, accepted_day=day(e.data["accepted_on"]))
    _progress(batch, e, e.data["accepted_on"], 100.0, 1)


def cancelled(batch: Batch, e: Envelope) -> None:
    """A cancelled contract releases what was committed and not disbursed."""
    _set(batch, e, closed_day=day(e.on))
    _release_unpaid(batch, e, e.on)


def contract_signed(batch: Batch, e: Envelope) -> None:
    """The contract; one recorded after its proposal's cancellation (`cancelled_on`) is
    released at once, as of the cancellation, for what was not disbursed."""
    d = e.data
    _set(batch, e, contract_vnd=d["amount_vnd"], signed_day=day(d["signed_on"]))
    if d.get("cancelled_on"):
        _release_unpaid(batch, e, d["cancelled_on"])


def _release_unpaid(batch: Batch, e: Envelope, on: str | date) -> None:
    pid = e.data["proposal_id"]
    row = batch.proposal(pid)
    contract = row["contract_vnd"] if row else None
    if contract:
        unpaid = contract - batch.sum(pid, "disbursed")
        if unpaid > 0:
            batch.add_money(e, "release", unpaid, on)


WRITES: dict[str, Callable[[Batch, Envelope], None]] = {
    "proposal_submitted": submitted,
    "proposal_appraised": lambda b, e: _set(b, e),
    "proposal_approved": lambda b, e: _set(
        b, e, approved_vnd=e.data["approved_vnd"], approved_day=day(e.data["approved_on"])
    ),
    "proposal_rejected": lambda b, e: _set(b, e, closed_day=day(e.on)),
    "contract_signed": contract_signed,
    "progress_reported": progress_reported,
    "proposal_accepted": accepted,
    "proposal_settled": lambda b, e: _set(b, e, settled_day=day(e.data["settled_on"])),
    "proposal_cancelled": cancelled,
}
EVENTS = tuple(WRITES)
