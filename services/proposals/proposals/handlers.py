"""Applying lifecycle events to proposals: the one path for AMQP and HTTP alike."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from grantflow.audit import Change as Audited
from grantflow.contract import Envelope, new_event
from grantflow.outcomes import Applied, NotApplied, Outcome, decided
from proposals.adapters import repository, support_check
from proposals.adapters.tables import outbox
from proposals.domain.lifecycle import RULES, Change
from proposals.domain.mandate import EVERYONE, Mandate
from proposals.domain.model import Proposal

SOURCE = "grantflow/proposals"
HANDLED_TYPES = tuple(RULES)
# Bound on the lifecycle exchange: `proposal.*` also brings types nobody handles, so that they
# are dead-lettered as `unknown_type` instead of being unroutable.
ROUTING_KEYS = ("proposal.*", "contract.signed", "progress.reported")


def apply_events(
    session: Session, events: Sequence[Envelope], mandate: Mandate = EVERYONE
) -> list[Outcome]:
    """Apply `events` in order (a batch may hold several events of one proposal), each within
    `mandate` (an HTTP caller's; over AMQP every province) checked on the proposal loaded.

    Loads the proposals once, decides each event in memory, then writes the proposals, their
    history and the outgoing domain events in three statements. The caller commits.
    """
    proposals: dict[str, Proposal | None] = dict(
        repository.load_for_update(session, (e.data["proposal_id"] for e in events))
    )
    submitters = (
        repository.submitters(session, {e.data["proposal_id"] for e in events})
        if mandate.actor is not None
        else {}
    )
    changed: dict[str, Proposal] = {}
    history: list[dict[str, Any]] = []
    outgoing: list[dict[str, Any]] = []
    outcomes: list[Outcome] = []
    recorded_at = datetime.now(UTC)
    for event in events:
        pid = event.data["proposal_id"]
        who = submitters.get(pid, frozenset())
        change = decided(event, _decide, mandate, event, proposals.get(pid), who)
        if isinstance(change, NotApplied):
            outcomes.append(change)
            continue
        if event.type == "proposal.appraised":
            support_check.flag(session, change, proposals)
        proposals[pid] = changed[pid] = change.proposal
        announced = announce(change, event)
        outgoing.append(announced)
        entry = history_entry(change, event, announced["id"], recorded_at)
        history.append(entry)
        outcomes.append(Applied((audited(entry, support_check.audited_flags(change.data)),)))
    repository.save(session, list(changed.values()))
    support_check.link(session, [e.data for e in events if e.type == "proposal.submitted"], changed)
    repository.record_history(session, history)
    outbox.add(session, outgoing)
    return outcomes


def _decide(
    mandate: Mandate, event: Envelope, loaded: Proposal | None, submitters: frozenset[str]
) -> Change:
    mandate.check(event.type, event.subject, event.data, loaded, submitters)
    return RULES[event.type](loaded, event.data, event.on)


def announce(change: Change, cause: Envelope) -> dict[str, Any]:
    """The domain event for a change, timed when the change happened in the world."""
    p = change.proposal
    data = {
        **p.keys(),
        "state": p.state.value,
        "previous_state": change.previous_state.value if change.previous_state else None,
        **change.data,
    }
    return new_event(
        change.event, SOURCE, data, subject=p.proposal_id, version=p.version, time=cause.time
    )


def history_entry(
    change: Change, cause: Envelope, domain_event_id: str, recorded_at: datetime
) -> dict[str, Any]:
    """One line of the audit trail: which event, from whom, the state before and after."""
    return {
        "proposal_id": change.proposal.proposal_id,
        "version": change.proposal.version,
        "event_id": cause.id,
        "source": cause.source,
        "type": cause.type,
        "occurred_at": cause.time,
        "recorded_at": recorded_at,
        "state_before": change.previous_state.value if change.previous_state else None,
        "state_after": change.proposal.state.value,
        "domain_event_id": domain_event_id,
    }


def audited(entry: dict[str, Any], flags: dict[str, Any] | None = None) -> Audited:
    """The history line as the audit trail's before and after (one source of truth);
    `flags`: what the audit must also show (an already-supported flag or its override)."""
    version = entry["version"]
    before = entry["state_before"]
    return Audited(
        subject=entry["proposal_id"],
        before=None if before is None else {"state": before, "version": version - 1},
        after={"state": entry["state_after"], "version": version, **(flags or {})},
        proposal_id=entry["proposal_id"],
    )
