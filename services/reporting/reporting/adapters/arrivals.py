"""Late and out-of-order arrivals, noted as the projections apply events (data quality).

An event is late when it was sent (its `time`) more than `LATE_DAYS` after the day it
reports (a payment's `paid_on`, a progress report's `as_of`, a contract's `signed_on`, an
approval's `approved_on`); a progress report or a payment is out of order when it is dated
before one already received for the same proposal.
"""

from __future__ import annotations

from datetime import date

from grantflow.contract import Envelope
from reporting.adapters.rows import Batch, scope
from reporting.adapters.tables import arrival

LATE_DAYS = 30
DATED = {
    "disbursement_recorded": "paid_on",
    "progress_reported": "as_of",
    "contract_signed": "signed_on",
    "proposal_approved": "approved_on",
}


def note(batch: Batch, e: Envelope) -> None:
    """Note the event if it is late or out of order; call before its rows are added."""
    field = DATED.get(e.type)
    d = e.data
    if field is None or not all(k in d for k in ("province", "year", "source_fund")):
        return
    day = date.fromisoformat(d[field])
    late = (e.on - day).days
    if late > LATE_DAYS:
        _add(batch, e, "late", late)
    latest = _latest(batch, e.type, d["proposal_id"])
    if latest is not None and day.toordinal() < latest:
        _add(batch, e, "out_of_order", latest - day.toordinal())


def _latest(batch: Batch, kind: str, pid: str) -> int | None:
    if kind == "progress_reported":
        return batch.latest_progress.get(pid)
    if kind == "disbursement_recorded":
        return batch.latest_paid.get(pid)
    return None


def _add(batch: Batch, e: Envelope, kind: str, days: int) -> None:
    batch.add(arrival, scope(e) | {"type": e.type, "kind": kind, "days": days})
