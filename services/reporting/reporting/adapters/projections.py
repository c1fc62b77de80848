"""Read models from domain events: applied once, in order per (source, subject) by version.

An event whose version is not the next one for its subject is `Early` (retried until the
missing one arrives); one at or below the stored version was already applied. What each kind
of event writes is in `proposal_events` and `disbursement_events`.

A batch is applied set-based (`rows.Batch`): the versions and the state its events read are
loaded in a few queries, the events are folded in memory in order, and each table gets one
multi-row statement; the work per event is Python, not a round trip.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session

from grantflow.contract import Envelope
from grantflow.db import insert_columns, is_postgres
from grantflow.errors import Early
from grantflow.outcomes import Applied, NotApplied, Outcome
from reporting.adapters import arrivals, disbursement_events, proposal_events
from reporting.adapters.rows import Batch
from reporting.adapters.tables import (
    inbox,
    money,
    plan,
    progress,
    proposal,
    schedule,
    stream,
    watermark,
)

HANDLED = proposal_events.EVENTS + disbursement_events.EVENTS
PROJECT: dict[str, Callable[[Batch, Envelope], None]] = {
    **proposal_events.WRITES,
    **disbursement_events.WRITES,
}

PROJECTIONS = (stream, proposal, progress, plan, money, schedule, inbox.table)


def empty(session: Session) -> None:
    """Every read model and the inbox emptied, for a rebuild (in its transaction)."""
    if is_postgres(session):  # no row by row, and the tables start small again
        session.execute(text(f"TRUNCATE {', '.join(t.name for t in PROJECTIONS)}"))
        return
    for table in PROJECTIONS:
        session.execute(delete(table))


def apply_events(session: Session, events: Sequence[Envelope]) -> list[Outcome]:
    """Apply each event whose version is the next for its subject; record the versions."""
    versions = _stored_versions(session, {(e.source, e.subject or "") for e in events})
    seen = dict(versions)
    applying: list[Envelope] = []
    outcomes: list[Outcome] = []
    for e in events:
        key = (e.source, e.subject or "")
        stored, version = seen.get(key, 0), e.version or 0
        if version and version <= stored:
            outcomes.append(Applied())  # applied before under another delivery
            continue
        if version and version != stored + 1:
            outcomes.append(
                NotApplied(
                    Early("version_gap", f"{e.type} v{version} of {key[1]} waits for v{stored + 1}")
                )
            )
            continue
        applying.append(e)
        seen[key] = version
        outcomes.append(Applied())
    if applying:
        batch = Batch(session, applying)
        for e in applying:
            arrivals.note(batch, e)
            PROJECT[e.type](batch, e)
        batch.write()
    changed = [
        {"source": s, "subject": sub, "version": v}
        for (s, sub), v in seen.items()
        if versions.get((s, sub)) != v
    ]
    insert_columns(session, stream, changed, update=["version"])
    if applying:  # last: the row stays locked only until the commit that follows
        session.execute(update(watermark).values(changes=watermark.c.changes + 1))
    return outcomes


def _stored_versions(session: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The stored version of each (source, subject): one `subject IN` per source, which the
    primary key answers (a row-valued IN of thousands of keys was planned as a scan)."""
    subjects: dict[str, list[str]] = {}
    for source, subject in keys:
        subjects.setdefault(source, []).append(subject)
    return {
        (r.source, r.subject): r.version
        for source, names in subjects.items()
        for r in session.execute(
            select(stream).where(stream.c.source == source, stream.c.subject.in_(names))
        )
    }
