"""`grantflow reporting rebuild`: the read models again, from the services' event logs.

Stop the reporting service first. The projections and the inbox are emptied and every event
the proposals and disbursement services have published is applied again, in each service's
order. Warning levels, overdue notices and the dead-letter store are kept, so a rebuild
announces nothing twice; after it every report gives the answer it gave before.

The logs are read in pages of 5,000: a thread fetches them (the services answer their stored
bodies as they are), decodes each page once and checks its events up to four pages ahead,
while the rebuild applies chunks of `chunk` events through the same set-based projection as
the service's batches (rows go one array a column: no round trip or bind per event), all in
one transaction: a rebuild that stops leaves the read models as they were.

What is checked: each service's log is its own outbox, events it validated and stored itself,
so they are checked by `Contract.from_log`: the envelope and the type's schema (jsonschema-rs)
and, for any event holding a non-integer number, the full parser, which refuses money that is
not integer dong (`amount_not_integer`). Skipped is only the walk of every text for NUL and
nesting depth, which guards a store against an outside sender's body (PostgreSQL held the text
already, and the decoder refuses lone surrogates). The inbox is not consulted: it was emptied,
and event ids are unique in an outbox, so a key seen twice stops the rebuild on the primary key.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from grantflow.contract import Envelope, contract
from grantflow.db import insert_arrays
from grantflow.outcomes import NotApplied
from reporting.adapters import projections
from reporting.adapters.event_log import event_log
from reporting.adapters.tables import inbox

CHUNK = 20000
HANDLED = frozenset(projections.HANDLED)


def rebuild(engine: Engine, sources: list[str], chunk: int = CHUNK) -> int:
    """Empty the projections, replay every source's event log; returns the events applied."""
    with Session(engine) as session:
        projections.empty(session)
        applied = 0
        for base_url in sources:
            pages = event_log(base_url, _projected)
            for events in _chunks((e for page in pages for e in page), chunk):
                applied += _apply(session, events)
        session.commit()
    return applied


def _projected(page: list[dict[str, Any]]) -> list[Envelope]:
    """The page's events that reporting projects, checked as events from their publisher's
    own log (`Contract.from_log`: envelope, schema and integer money; not the text walk for
    NUL and depth that a body from an outside sender gets). Runs in the fetching thread."""
    from_log = contract().from_log
    return [from_log(e) for e in page if isinstance(t := e.get("type"), str) and t in HANDLED]


def _chunks(events: Iterator[Envelope], size: int) -> Iterator[list[Envelope]]:
    chunk: list[Envelope] = []
    for event in events:
        chunk.append(event)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _apply(session: Session, events: list[Envelope]) -> int:
    """The chunk's inbox rows in one insert, then its projection. The inbox was emptied and
    each log is its service's outbox (event ids unique), so every event is new: a key seen
    twice would stop the rebuild on the primary key rather than be applied twice."""
    now = datetime.now(UTC)
    keys = {
        "source": [e.inbox_source for e in events],
        "event_id": [e.id for e in events],
        "type": [e.type for e in events],
    }
    insert_arrays(session, inbox.table, keys, same={"received_at": now})
    outcomes = projections.apply_events(session, events)
    failed = [(e, o) for e, o in zip(events, outcomes, strict=True) if isinstance(o, NotApplied)]
    if failed:
        event, outcome = failed[0]
        raise RuntimeError(f"rebuild stopped at {event.type} {event.id}: {outcome.error}")
    return len(events)
