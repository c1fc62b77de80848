"""What the disbursement service's events write: approved plans, money lines and the
cumulative schedule of tranches and repayments. Overdue notices write nothing here.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from grantflow.contract import Envelope
from reporting.adapters.tables import plan, schedule
from reporting.rows import add_money, day


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


def _nothing(session: Session, e: Envelope) -> None:
    """Known and ordered, but the evaluation derives it itself (overdue notices)."""


WRITES: dict[str, Callable[[Session, Envelope], None]] = {
    "plan_approved": plan_approved,
    "commitment_recorded": commitment,
    "disbursement_recorded": lambda s, e: add_money(
        s, e, "disbursed", e.data["amount_vnd"], e.data["paid_on"]
    ),
    "settlement_recorded": lambda s, e: (
        add_money(s, e, "release", e.data["released_vnd"], e.data["settled_on"])
        if e.data["released_vnd"]
        else None
    ),
    "repayment_recorded": lambda s, e: add_money(
        s, e, "repaid", e.data["amount_vnd"], e.data["received_on"]
    ),
    "tranche_overdue": _nothing,
    "repayment_overdue": _nothing,
}
EVENTS = tuple(WRITES)
