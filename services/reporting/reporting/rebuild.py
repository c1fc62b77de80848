"""`grantflow reporting rebuild`: the read models again, from the services' event logs.

Stop the reporting service first. The projections and the inbox are emptied and every event
the proposals and disbursement services have published is applied again, in each service's
order. Warning levels, overdue notices and the dead-letter store are kept, so a rebuild
announces nothing twice; after it every report gives the answer it gave before.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import requests
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session

from grantflow.auth import client_headers
from grantflow.contract import contract
from grantflow.outcomes import NotApplied
from reporting import projections
from reporting.adapters.tables import inbox, money, plan, progress, proposal, schedule, stream

PROJECTIONS = (stream, proposal, progress, plan, money, schedule, inbox.table)


def event_log(base_url: str, page: int = 1000) -> Iterator[dict[str, Any]]:
    after = 0
    while True:
        r = requests.get(
            f"{base_url}/api/v1/event-log",
            params={"after": after, "limit": page},
            headers=client_headers(),
            timeout=30,
        )
        r.raise_for_status()
        body = r.json()
        yield from body["events"]
        if not body["events"]:
            return
        after = body["next"]


def rebuild(engine: Engine, sources: list[str], batch: int = 2000) -> int:
    """Empty the projections, replay every source's event log; returns the events applied."""
    import json

    with Session(engine) as session:
        for table in PROJECTIONS:
            session.execute(delete(table))
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
