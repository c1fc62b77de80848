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

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grantflow.contract import Envelope
from reporting.adapters.rows import add_money, day
from reporting.adapters.tables import money, plan, proposal, schedule


def commitment(session: Session, e: Envelope) -> None:
    """The contract's commitment, and each schedule line as a running total due by its day."""
    d = e.data
    add_money(session, e, "commitment", d["contract_vnd"], d["signed_on"])
    rows = []
    for kind, lines in (("tranche", d["tranches"]), ("repayment", d["repayments"])):
        running = 0
        for i, line in enumerate(sorted(lines, key=lambda x: x["due_on"])):
            running += line["amount_vnd"]
            rows.append(
                {
                    "proposal_id": d["proposal_id"],
                    "kind": kind,
                    "line_index": i,
                    "due_day": day(line["due_on"]),
                    "due_total_vnd": running,
                }
            )
    if rows:
        session.execute(schedule.insert(), rows)


def plan_approved(session: Session, e: Envelope) -> None:
    """One version of a province's plan for a year and fund."""
    d = e.data
    session.execute(
        plan.insert().values(
            province=d["province"],
            year=d["year"],
            source_fund=d["source_fund"],
            version=d["plan_version"],
            amount_vnd=d["amount_vnd"],
            approved_day=day(e.on),
        )
    )


def _bring_to(session: Session, e: Envelope, kind: str, total: int, on: str) -> None:
    """A line that brings the proposal's sum of `kind` lines to `total`, if it is not there."""
    so_far = session.execute(
        select(func.coalesce(func.sum(money.c.amount_vnd), 0)).where(
            money.c.proposal_id == e.data["proposal_id"], money.c.kind == kind
        )
    ).scalar()
    if total != int(so_far):
        add_money(session, e, kind, total - int(so_far), on)


def _settlement_totals(session: Session, e: Envelope, on: str) -> None:
    d: dict[str, Any] = e.data
    if "refund_due_vnd" in d:
        _bring_to(session, e, "refund_due", d["refund_due_vnd"], on)
    if "owed_vnd" in d:
        _bring_to(session, e, "owed", d["owed_vnd"], on)


def settlement(session: Session, e: Envelope) -> None:
    """What the settlement releases, and the refund due and the amount owed it leaves."""
    d = e.data
    if d["released_vnd"]:
        add_money(session, e, "release", d["released_vnd"], d["settled_on"])
    _settlement_totals(session, e, d["settled_on"])


def disbursement(session: Session, e: Envelope) -> None:
    """The payment; after a settlement, the refund due and the amount owed it leaves."""
    d = e.data
    add_money(session, e, "disbursed", d["amount_vnd"], d["paid_on"])
    if d.get("settled_on"):
        _settlement_totals(session, e, max(d["paid_on"], d["settled_on"]))
    closed = session.execute(
        select(proposal.c.closed_day).where(
            proposal.c.proposal_id == d["proposal_id"],
            proposal.c.state == "cancelled",
            proposal.c.contract_vnd.is_not(None),  # else its release, to come, counts it
        )
    ).first()
    if closed is not None and closed.closed_day is not None:
        add_money(session, e, "commitment", d["amount_vnd"], date.fromordinal(closed.closed_day))


def _nothing(session: Session, e: Envelope) -> None:
    """Known and ordered, but the evaluation derives it itself (overdue notices)."""


WRITES: dict[str, Callable[[Session, Envelope], None]] = {
    "plan_approved": plan_approved,
    "commitment_recorded": commitment,
    "disbursement_recorded": disbursement,
    "settlement_recorded": settlement,
    "repayment_recorded": lambda s, e: add_money(
        s, e, "repaid", e.data["amount_vnd"], e.data["received_on"]
    ),
    "tranche_overdue": _nothing,
    "repayment_overdue": _nothing,
}
EVENTS = tuple(WRITES)
