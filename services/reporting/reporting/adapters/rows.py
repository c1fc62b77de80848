"""Rows both kinds of event write: dates as the day numbers the read models store, and money
lines (committed, disbursed, released, repaid) with the proposal's province, year and fund.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from grantflow.contract import Envelope
from grantflow.domain import day_number as day
from reporting.adapters.tables import money


def add_money(session: Session, e: Envelope, kind: str, amount: int, on: str | date) -> None:
    """One money line of `kind` for the event's proposal, dated `on`."""
    d = e.data
    session.execute(
        money.insert().values(
            proposal_id=d["proposal_id"],
            province=d["province"],
            year=d["year"],
            source_fund=d["source_fund"],
            kind=kind,
            amount_vnd=amount,
            day=day(on),
        )
    )
