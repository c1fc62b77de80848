"""Applying events to plans and commitments: one path for AMQP and HTTP alike."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from disbursement.adapters import repository
from disbursement.adapters.tables import outbox
from disbursement.domain import rules
from disbursement.domain.model import Commitment, Line, Plan, Stage, overdue, schedule
from grantflow.audit import Change as Audited
from grantflow.contract import Envelope, new_event
from grantflow.domain import Scope
from grantflow.errors import Refused
from grantflow.outcomes import Applied, NotApplied, Outcome, decided

SOURCE = "grantflow/disbursement"
LIFECYCLE_TYPES = ("plan.approved", "plan.adjusted", "disbursement.made", "repayment.received")
LIFECYCLE_KEYS = ("plan.*", "disbursement.made", "repayment.received")
PROPOSAL_EVENTS = ("contract_signed", "proposal_accepted", "proposal_settled", "proposal_cancelled")
PLAN_TYPES = ("plan.approved", "plan.adjusted")


def _plan_key(e: Envelope) -> Scope:
    d = e.data
    return Scope(rules.plan_province(d, e.on), d["year"], d["source_fund"])


def decide(
    e: Envelope, plans: dict[str, list[Plan]], commitments: dict[str, Commitment]
) -> rules.Change | None:
    d = e.data
    if e.type in PLAN_TYPES:
        versions = plans.get(_plan_key(e).key, [])
        return rules.approve_plan(
            versions[-1] if versions else None,
            d,
            e.on,
            adjusted=e.type == "plan.adjusted",
            at=e.time,
            versions=versions,
        )
    current = commitments.get(d["proposal_id"])
    match e.type:
        case "disbursement.made":
            return rules.pay(current, d)
        case "repayment.received":
            return rules.repay(current, d)
        case "contract_signed":
            return rules.commit(current, d)
        case "proposal_accepted":
            return rules.accept(current, d)
        case "proposal_settled":
            return rules.settle(current, d)
        case "proposal_cancelled":
            return rules.cancel(current, d, e.on)
    raise Refused("unknown_type", f"{e.type} is not handled by the disbursement service")


def apply_events(session: Session, events: Sequence[Envelope]) -> list[Outcome]:
    """Apply in order; load every plan and commitment once, write in a few statements."""
    plans: dict[str, list[Plan]] = repository.load_plans(
        session, [_plan_key(e) for e in events if e.type in PLAN_TYPES]
    )
    commitments = repository.load_commitments(
        session, [e.data["proposal_id"] for e in events if e.type not in PLAN_TYPES]
    )
    changed: dict[str, Commitment] = {}
    plan_rows: list[dict[str, Any]] = []
    ledger_rows: list[dict[str, Any]] = []
    outgoing: list[dict[str, Any]] = []
    outcomes: list[Outcome] = []
    now = datetime.now(UTC)
    for e in events:
        subject, before = _before(e, plans, commitments)
        change = decided(e, decide, e, plans, commitments)
        if isinstance(change, NotApplied):
            outcomes.append(change)
            continue
        if change is None:
            outcomes.append(Applied())
            continue
        agg = change.aggregate
        again: list[dict[str, Any]] = []  # later-dated plan versions recorded again
        if isinstance(agg, Plan):
            for part in (change, *change.then):
                version = part.aggregate
                assert isinstance(version, Plan)
                plans.setdefault(version.key, []).append(version)
                plan_rows.append(_plan_row(version, part.data["adjusted"], e, now))
                if version is not agg:
                    again.append(_plan_event(part, version, e))
        else:
            commitments[agg.proposal_id] = changed[agg.proposal_id] = agg
            ledger_rows += repository.ledger_rows(agg, change.entries, e.id, now)
        if change.event:
            if isinstance(agg, Commitment):  # versions count announcements: no gaps downstream
                agg.version += 1
            subject = agg.key if isinstance(agg, Plan) else agg.proposal_id
            outgoing.append(
                new_event(
                    change.event,
                    SOURCE,
                    change.data,
                    subject=subject,
                    version=agg.version,
                    time=e.time,
                )
            )
        outgoing += again
        if isinstance(agg, Plan):
            agg = plans[agg.key][-1]  # the plan in force, for the audit trail
        after = _state(agg)
        outcomes.append(
            Applied(() if after == before else (Audited(subject, before, after, _pid(agg)),))
        )
    repository.add_plan_versions(session, plan_rows)
    repository.save_commitments(session, list(changed.values()))
    repository.append_ledger(session, ledger_rows)
    outbox.add(session, outgoing)
    return outcomes


def _before(
    e: Envelope, plans: dict[str, list[Plan]], commitments: dict[str, Commitment]
) -> tuple[str, dict[str, Any] | None]:
    """What an event is about and its state before (for the audit trail)."""
    if e.type in PLAN_TYPES:
        key = _plan_key(e).key
        versions = plans.get(key)
        return key, _state(versions[-1] if versions else None)
    pid = e.data["proposal_id"]
    return pid, _state(commitments.get(pid))


def _state(agg: Plan | Commitment | None) -> dict[str, Any] | None:
    if agg is None:
        return None
    if isinstance(agg, Plan):
        return {
            "version": agg.version,
            "amount_vnd": agg.amount_vnd,
            "decision_no": agg.decision_no,
        }
    return {
        "stage": agg.stage.value,
        "paid_vnd": agg.paid_vnd,
        "repaid_vnd": agg.repaid_vnd,
        "settled_vnd": agg.settled_vnd,
        "version": agg.version,
    }


def _pid(agg: Plan | Commitment) -> str | None:
    return agg.proposal_id if isinstance(agg, Commitment) else None


def _plan_row(p: Plan, adjusted: bool, e: Envelope, now: datetime) -> dict[str, Any]:
    """A version's row: of the event `e`, or (recorded again after a late, earlier-dated
    adjustment) of the event that decided it, as of that event's time."""
    source, event_id = p.cause or (e.source, e.id)
    p.cause = (source, event_id)
    return {
        "province": p.province,
        "year": p.year,
        "source_fund": p.source_fund,
        "version": p.version,
        "amount_vnd": p.amount_vnd,
        "decision_no": p.decision_no,
        "adjusted": adjusted,
        "event_id": event_id,
        "source": source,
        "occurred_at": p.at or e.time,
        "recorded_at": now,
    }


def _plan_event(part: rules.Change, p: Plan, e: Envelope) -> dict[str, Any]:
    """`plan_approved` of a later-dated version recorded again, timed as it was decided."""
    return new_event(
        "plan_approved", SOURCE, part.data, subject=p.key, version=p.version, time=p.at or e.time
    )


def raise_overdue(session: Session, as_of: date, grace_days: int) -> list[dict[str, Any]]:
    """Announce each tranche and instalment that is overdue on `as_of`, once ever.

    The notice table's key makes it once, also with replicas evaluating at the same time:
    a second insert of the same key waits for the first transaction, then does nothing.
    """
    candidates: dict[tuple[str, str, int], dict[str, Any]] = {}
    for c in repository.open_commitments(session):
        if c.stage != Stage.SETTLED:
            tranches = schedule(c.tranches)  # once per commitment: linear in its tranches
            for i in overdue(c.tranches, c.paid_vnd, as_of):
                candidates[("tranche_overdue", c.proposal_id, i)] = _tranche(
                    c, i, as_of, tranches[i]
                )
        if c.recoverable:
            instalments = schedule(c.repayments)
            for i in overdue(c.repayments, c.repaid_vnd, as_of, grace_days):
                candidates[("repayment_overdue", c.proposal_id, i)] = _instalment(
                    c, i, as_of, grace_days, instalments[i]
                )
    new = repository.claim_notices(session, sorted(candidates), as_of)
    if not new:
        session.commit()
        return []
    locked = repository.load_commitments(session, {pid for _, pid, _ in new})
    outgoing = []
    for kind, pid, i in sorted(new):
        c = locked[pid]
        c.version += 1
        outgoing.append(
            new_event(kind, SOURCE, candidates[(kind, pid, i)], subject=pid, version=c.version)
        )
    repository.save_commitments(session, list(locked.values()))
    outbox.add(session, outgoing)
    session.commit()
    return outgoing


def _tranche(
    c: Commitment, i: int, as_of: date, scheduled: tuple[Line, int] | None = None
) -> dict[str, Any]:
    line, due = scheduled or schedule(c.tranches)[i]
    behind = {"paid_total_vnd": c.paid_vnd, "shortfall_vnd": due - c.paid_vnd}
    return _line_due(c, ("tranche_index", i), line, due) | behind | {"as_of": as_of.isoformat()}


def _instalment(
    c: Commitment, i: int, as_of: date, grace_days: int, scheduled: tuple[Line, int] | None = None
) -> dict[str, Any]:
    line, due = scheduled or schedule(c.repayments)[i]
    behind = {"repaid_total_vnd": c.repaid_vnd, "arrears_vnd": due - c.repaid_vnd}
    late = {"grace_days": grace_days, "as_of": as_of.isoformat()}
    return _line_due(c, ("instalment_index", i), line, due) | behind | late


def _line_due(c: Commitment, index: tuple[str, int], line: Line, due: int) -> dict[str, Any]:
    """A line of a commitment's schedule: which, when due, and the total due through it."""
    return {**c.keys(), index[0]: index[1], "due_on": line.due_on.isoformat(), "due_total_vnd": due}
