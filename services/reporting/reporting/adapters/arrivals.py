"""Late and out-of-order arrivals, noted as the projections apply events (data quality).

An event is late when it was sent (its `time`) more than `LATE_DAYS` after the day it
reports (a payment's `paid_on`, a progress report's `as_of`, a contract's `signed_on`, an
approval's `approved_on`); a progress report or a payment is out of order when it is dated
before one already received for the same proposal.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grantflow.contract import Envelope
from reporting.adapters.tables import arrival, money, progress

LATE_DAYS = 30
DATED = {
    "disbursement_recorded": "paid_on",
    "progress_reported": "as_of",
    "contract_signed": "signed_on",
    "proposal_approved": "approved_on",
}


def note(session: Session, e: Envelope) -> None:
    """Note the event if it is late or out of order; call before its rows are written."""
    field = DATED.get(e.type)
    d = e.data
    if field is None or not all(k in d for k in ("province", "year", "source_fund")):
        return
    day = date.fromisoformat(d[field])
    late = (e.on - day).days
    if late > LATE_DAYS:
        _add(session, e, "late", late)
    latest = _latest(session, e.type, d["proposal_id"])
    if latest is not None and day.toordinal() < latest:
        _add(session, e, "out_of_order", latest - day.toordinal())


def _latest(session: Session, kind: str, pid: str) -> int | None:
    if kind == "progress_reported":
        column, where = progress.c.as_of_day, progress.c.proposal_id == pid
    elif kind == "disbursement_recorded":
        column = money.c.day
        where = (money.c.proposal_id == pid) & (money.c.kind == "disbursed")
    else:
        return None
    return session.execute(select(func.max(column)).where(where)).scalar()


def _add(session: Session, e: Envelope, kind: str, days: int) -> None:
    d = e.data
    session.execute(
        arrival.insert().values(
            province=d["province"],
            year=d["year"],
            source_fund=d["source_fund"],
            proposal_id=d["proposal_id"],
            type=e.type,
            kind=kind,
            days=days,
        )
    )
