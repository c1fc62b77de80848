"""Applying the registry's lifecycle events: the one path for AMQP and HTTP alike."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from grantflow.audit import Change as Audited
from grantflow.contract import Envelope, new_event
from grantflow.outcomes import Applied, NotApplied, Outcome, decided
from registry.adapters import store
from registry.adapters.tables import outbox
from registry.domain.records import RULES, Change

SOURCE = "grantflow/registry"
HANDLED_TYPES = tuple(RULES)
# Bound on the lifecycle exchange: the registry's own types only.
ROUTING_KEYS = HANDLED_TYPES
# What the audit trail and the domain events leave out: personal data and search helpers.
PRIVATE = ("representative", "search_name")


def apply_events(session: Session, events: Sequence[Envelope]) -> list[Outcome]:
    """Apply `events` in order, each seeing what the ones before it wrote. The caller commits."""
    lookup = store.SessionLookup(session)
    outcomes: list[Outcome] = []
    outgoing: list[dict[str, Any]] = []
    for event in events:
        record, key_columns, rule = RULES[event.type]
        key = tuple(event.data[c] for c in key_columns)
        existing = store.load(session, record, key_columns, key)
        change = decided(event, rule, existing, event.data, event.on, lookup)
        if isinstance(change, NotApplied):
            outcomes.append(change)
            continue
        store.save(session, record, key_columns, change.after)
        outgoing.append(announce(change, event))
        outcomes.append(Applied((audited(change, existing),)))
    outbox.add(session, outgoing)
    return outcomes


def announce(change: Change, cause: Envelope) -> dict[str, Any]:
    return new_event(
        change.event,
        SOURCE,
        change.data,
        subject=change.subject,
        version=change.after["version"],
        time=cause.time,
    )


def audited(change: Change, existing: dict[str, Any] | None) -> Audited:
    def shown(row: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if row is None else {k: v for k, v in row.items() if k not in PRIVATE}

    return Audited(
        subject=f"{change.record}:{change.subject}",
        before=shown(existing),
        after=shown(change.after),
    )
