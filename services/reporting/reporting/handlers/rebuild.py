"""`grantflow reporting rebuild`: the read models again, from the services' event logs.

Stop the reporting service first. The projections and the inbox are emptied and every event
the proposals and disbursement services have published is applied again, in each service's
order. Warning levels, overdue notices and the dead-letter store are kept, so a rebuild
announces nothing twice; after it every report gives the answer it gave before.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from grantflow.contract import contract
from grantflow.outcomes import NotApplied
from reporting.adapters import projections
from reporting.adapters.event_log import event_log
from reporting.adapters.tables import inbox


def rebuild(engine: Engine, sources: list[str], batch: int = 2000) -> int:
    """Empty the projections, replay every source's event log; returns the events applied."""
    import json

    with Session(engine) as session:
        projections.empty(session)
        applied = 0
        for base_url in sources:
            pending = []
            for event in event_log(base_url):
                if event["type"] not in projections.HANDLED:
                    continue
                pending.append(contract().parse(json.dumps(event)))
                if len(pending) >= batch:
                    applied += _apply(session, pending)
                    pending = []
            applied += _apply(session, pending)
        session.commit()
    return applied


def _apply(session: Session, events: list[Any]) -> int:
    if not events:
        return 0
    claimed = inbox.claim(session, events)
    fresh = [e for e, new in zip(events, claimed, strict=True) if new]
    outcomes = projections.apply_events(session, fresh)
    failed = [(e, o) for e, o in zip(fresh, outcomes, strict=True) if isinstance(o, NotApplied)]
    if failed:
        event, outcome = failed[0]
        raise RuntimeError(f"rebuild stopped at {event.type} {event.id}: {outcome.error}")
    return len(fresh)
