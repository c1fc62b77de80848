"""Who received what: the registry's copy of support, built from other services' events.

The proposals service announces every proposal's lifecycle (with the beneficiaries it names)
and the disbursement service every payment; the registry keeps one row per proposal and its
beneficiaries (`adapters.support`), so a beneficiary's whole history across years, funds and
provinces is one query.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from grantflow.contract import Envelope
from grantflow.outcomes import Applied, Outcome
from registry.adapters import support

HANDLED = (*support.PROPOSAL_EVENTS, "disbursement_recorded")


def apply_events(session: Session, events: Sequence[Envelope]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for event in events:
        support.record(session, event)
        outcomes.append(Applied())
    return outcomes
