"""What the disbursement service's events write: approved plans, money lines and the
cumulative schedule of tranches and repayments. Overdue notices write nothing here.

A payment may come after its proposal's settlement or cancellation (they travel by other
paths). The settlement's refund due and amount owed are carried, as they stand after each
event, by `settlement_recorded` and every later `disbursement_recorded`: the lines written
here are the changes, so their sums are the totals whatever order the events came in. A
payment projected after the proposal's cancellation commits again what it used, since the
cancellation released everything not disbursed when it was projected.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from grantflow.contract import Envelope
from reporting.adapters.rows import Batch, day
from reporting.adapters.tables import plan, schedule


def commitment(batch: Batch, e: Envelope) -> None:
    """The contract's commitment, and each schedule line as a running total due by its day."""
    d = e.data
    batch.add_money(e, "commitment", d["contract_vnd"], d["signed_on"])
    for kind, lines in (("tranche", d["tranches"]), ("repayment", d["repayments"])):
        running = 0
        for i, line in enumerate(sorted(lines, key=lambda x: x["due_on"])):
            running += line["amount_vnd"]
            batch.add(
                schedule,
                {
                    "proposal_id": d["proposal_id"],
                    "kind": kind,
                    "line_index": i,
                    "due_day": day(line["due_on"]),
                    "due_total_vnd": running,
                },
            )


def plan_approved(batch: Batch, e: Envelope) -> None:
    """One version of a province's plan for a year and fund."""
    d = e.data
    batch.add(
        plan,
        {k: d[k] for k in ("province", "year", "source_fund", "amount_vnd")}
        | {"version": d["plan_version"], "approved_day": day(e.on)},
    )


def _bring_to(batch: Batch, e: Envelope, kind: str, total: int, on: str) -> None:
    """A line that brings the proposal's sum of `kind` lines to `total`, if it is not there."""
    so_far = batch.sum(e.data["proposal_id"], kind)
    if total != so_far:
        batch.add_money(e, kind, total - so_far, on)


def _settlement_totals(batch: Batch, e: Envelope, on: str) -> None:
    d: dict[str, Any] = e.data
    if "refund_due_vnd" in d:
        _bring_to(batch, e, "refund_due", d["refund_due_vnd"], on)
    if "owed_vnd" in d:
        _bring_to(batch, e, "owed", d["owed_vnd"], on)


def settlement(batch: Batch, e: Envelope) -> None:
    """What the settlement releases, and the refund due and the amount owed it leaves."""
    d = e.data
    if d["released_vnd"]:
        batch.add_money(e, "release", d["released_vnd"], d["settled_on"])
    _settlement_totals(batch, e, d["settled_on"])


def disbursement(batch: Batch, e: Envelope) -> None:
    """The payment; after a settlement, the refund due and the amount owed it leaves."""
    d = e.data
    batch.add_money(e, "disbursed", d["amount_vnd"], d["paid_on"])
    if d.get("settled_on"):
        _settlement_totals(batch, e, max(d["paid_on"], d["settled_on"]))
    row = batch.proposal(d["proposal_id"])
    if (
        row is not None
        and row["state"] == "cancelled"
        and row["closed_day"] is not None
        and row["contract_vnd"] is not None  # else its release, still to come, counts it
    ):
        batch.add_money(e, "commitment", d["amount_vnd"], date.fromordinal(row["closed_day"]))


def _nothing(batch: Batch, e: Envelope) -> None:
    """Known and ordered, but the evaluation derives it itself (overdue notices)."""


WRITES: dict[str, Callable[[Batch, Envelope], None]] = {
    "plan_approved": plan_approved,
    "commitment_recorded": commitment,
    "disbursement_recorded": disbursement,
    "settlement_recorded": settlement,
    "repayment_recorded": lambda b, e: b.add_money(
        e, "repaid", e.data["amount_vnd"], e.data["received_on"]
    ),
    "tranche_overdue": _nothing,
    "repayment_overdue": _nothing,
}
EVENTS = tuple(WRITES)
