"""The money rules: plans, commitments, payments, settlement, repayments.

Each rule takes the aggregate as it stands (None before it exists) and the event's validated
data, and returns a `Change`: the aggregate after it, the ledger lines it adds, and the domain
event to announce. A broken rule raises `Refused`, or `Early` when its prerequisite may still
arrive (a payment before its contract).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from disbursement.domain import payments
from disbursement.domain.model import (
    Commitment,
    Entry,
    EntryKind,
    Line,
    Plan,
    Stage,
    due_by,
)
from grantflow.domain import Early, Refused, Scope, day, to_change
from grantflow.reference import code_on, province


@dataclass(frozen=True, slots=True)
class Change:
    aggregate: Plan | Commitment
    event: str | None  # None: recorded, announced by nobody (the proposals service already did)
    data: dict[str, Any] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    # Plans: the versions that follow this one in the same change (the later-dated decisions
    # recorded again after a late, earlier-dated adjustment; see `approve_plan`).
    then: list[Change] = field(default_factory=list)


def _lines(raw: list[dict[str, Any]] | None) -> list[Line]:
    return [Line(day(r["due_on"]), r["amount_vnd"]) for r in raw or []]


# Plans ------------------------------------------------------------------------------------


def plan_province(d: dict[str, Any], on: date) -> str:
    """The plan's province: its code as sent when in force in the plan's year or on `on`;
    an old code sent after the 2025 merger for a later year, the unit it became."""
    code: str = d["province"]
    if province(code, date(d["year"], 1, 1)) is not None or province(code, on) is not None:
        return code
    return code_on(code, on) or code


def approve_plan(
    existing: Plan | None,
    d: dict[str, Any],
    on: date,
    adjusted: bool,
    at: datetime | None = None,
    versions: Sequence[Plan] = (),
) -> Change:
    """A new version of the plan. The plan in force is the latest-dated decision, whatever
    order they arrive in: an adjustment dated before one already recorded is appended as a
    version of its own (what was in force from its date), and the later-dated decisions are
    recorded again after it (`then`), each as of its own time, so that the latest version by
    any date is the plan in force on that date."""
    code = plan_province(d, on)
    key = Scope(code, d["year"], d["source_fund"]).key
    if province(code, date(d["year"], 1, 1)) is None and province(code, on) is None:
        raise Refused("unknown_province", f"no province has code {d['province']} in {d['year']}")
    if adjusted and existing is None:
        raise Early("prerequisite_missing", f"plan {key} is adjusted before it was approved")
    if not adjusted and existing is not None:
        raise Refused("illegal_transition", f"plan {key} is already approved; send plan.adjusted")
    version = (existing.version if existing else 0) + 1
    plan = Plan(code, d["year"], d["source_fund"], d["amount_vnd"], version, d.get("decision_no"))
    plan.at = at
    earlier = [v for v in versions if not _later(v, at)]
    before = earlier[-1] if earlier else existing
    change = _version(plan, before, adjusted, d)
    previous = plan
    for decided in _later_decisions(versions, at):
        again = Plan(code, plan.year, plan.source_fund, decided.amount_vnd, previous.version + 1)
        again.decision_no, again.at, again.cause = decided.decision_no, decided.at, decided.cause
        change.then.append(_version(again, previous, True, {}))
        previous = again
    return change


def _later(v: Plan, at: datetime | None) -> bool:
    return at is not None and v.at is not None and v.at > at


def _later_decisions(versions: Sequence[Plan], at: datetime | None) -> list[Plan]:
    """The decisions dated after `at`, each once (its latest version), in date order."""
    by_time = {v.at: v for v in sorted(versions, key=lambda v: v.version) if _later(v, at)}
    return [by_time[t] for t in sorted(t for t in by_time if t is not None)]


def _version(plan: Plan, before: Plan | None, adjusted: bool, d: dict[str, Any]) -> Change:
    data = {
        "province": plan.province,
        "year": plan.year,
        "source_fund": plan.source_fund,
        "amount_vnd": plan.amount_vnd,
        "previous_amount_vnd": before.amount_vnd if before else None,
        "plan_version": plan.version,
        "decision_no": plan.decision_no,
        "adjusted": adjusted,
    }
    if d and plan.province != d["province"]:  # the mapping, in the event and the event log
        data["province_as_sent"] = d["province"]
    return Change(plan, "plan_approved", data)


# Commitments, from the proposals service's events -----------------------------------------


def commit(existing: Commitment | None, d: dict[str, Any]) -> Change:
    if existing is not None:
        raise Refused("illegal_transition", f"proposal {d['proposal_id']} is already committed")
    c = Commitment(
        proposal_id=d["proposal_id"],
        province=d["province"],
        year=d["year"],
        source_fund=d["source_fund"],
        activity=d["activity"],
        contract_no=d["contract_no"],
        contract_vnd=d["amount_vnd"],
        signed_on=day(d["signed_on"]),
        tranches=_lines(d["tranches"]),
        recoverable=d["recoverable"],
        repayments=_lines(d["repayments"]),
    )
    data = {
        **c.keys(),
        "activity": c.activity,
        "contract_no": c.contract_no,
        "contract_vnd": c.contract_vnd,
        "signed_on": d["signed_on"],
        "tranches": d["tranches"],
        "recoverable": c.recoverable,
        "repayments": d["repayments"],
    }
    entries = [Entry(EntryKind.COMMITMENT, c.contract_vnd, c.signed_on)]
    if d.get("cancelled_on"):
        # The contract arrived after its proposal's cancellation (and is dated before it): it
        # existed, and the cancellation released it as of its day; the payments made before
        # that, recorded later, commit again what they used.
        c.stage, c.cancelled_on = Stage.CANCELLED, day(d["cancelled_on"])
        entries.append(Entry(EntryKind.RELEASE, c.contract_vnd, c.cancelled_on))
    return Change(c, "commitment_recorded", data, entries)


def _open(existing: Commitment | None, pid: str, *stages: Stage) -> Commitment:
    if existing is None:
        raise Early("unknown_commitment", f"no contract of proposal {pid} has been recorded yet")
    if existing.stage not in stages:
        raise Refused(
            "illegal_transition",
            f"proposal {pid} is {existing.stage}; this needs {', '.join(stages)}",
        )
    return to_change(existing)


def accept(existing: Commitment | None, d: dict[str, Any]) -> Change:
    """Acceptance unlocks the payments that come after it (`payment`, `final`).

    One that arrives after the cancellation announced later is history: its day is kept.
    """
    if existing is not None and existing.stage == Stage.CANCELLED:
        c = to_change(existing)
        c.accepted_on = c.accepted_on or day(d["accepted_on"])
        return Change(c, None)
    c = _open(existing, d["proposal_id"], Stage.CONTRACTED)
    c.stage, c.accepted_on = Stage.ACCEPTED, day(d["accepted_on"])
    return Change(c, None)


def settle(existing: Commitment | None, d: dict[str, Any]) -> Change:
    if existing is not None and existing.stage == Stage.CONTRACTED:
        raise Early(
            "not_accepted", f"the settlement of {d['proposal_id']} waits for its acceptance"
        )
    c = _open(existing, d["proposal_id"], Stage.ACCEPTED)
    settled, on = d["settled_vnd"], day(d["settled_on"])
    released = c.contract_vnd - min(settled, c.contract_vnd)
    c.stage, c.settled_vnd, c.settled_on = Stage.SETTLED, settled, on
    refund, owed = c.refund_due_vnd, c.owed_vnd
    entries = [Entry(EntryKind.RELEASE, released, on)] if released else []
    if refund:
        entries.append(Entry(EntryKind.REFUND_DUE, refund, on))
    if owed:  # still payable to the beneficiary: later payments up to the settled amount
        entries.append(Entry(EntryKind.PAYABLE, owed, on))
    data = {
        **c.keys(),
        "contract_vnd": c.contract_vnd,
        "paid_vnd": c.paid_vnd,
        "settled_vnd": settled,
        "refund_due_vnd": refund,
        "owed_vnd": owed,
        "released_vnd": released,
        "settled_on": d["settled_on"],
    }
    return Change(c, "settlement_recorded", data, entries)


def cancel(existing: Commitment | None, d: dict[str, Any], on: date) -> Change | None:
    """A cancelled proposal releases what was committed and not paid.

    None when it was cancelled before any contract: nothing was committed here.
    """
    if existing is None:
        if d.get("previous_state") in ("contracted", "in_progress", "accepted"):
            raise Early("unknown_commitment", f"the contract of {d['proposal_id']} is not here yet")
        return None
    c = _open(existing, d["proposal_id"], Stage.CONTRACTED, Stage.ACCEPTED)
    c.stage, c.cancelled_on = Stage.CANCELLED, on
    unpaid = c.contract_vnd - c.paid_vnd
    return Change(c, None, {}, [Entry(EntryKind.RELEASE, unpaid, on)] if unpaid > 0 else [])


# Payments ---------------------------------------------------------------------------------


def pay(existing: Commitment | None, d: dict[str, Any]) -> Change:
    """A payment out, whatever order it meets acceptance, settlement and cancellation in."""
    c, data, entries = payments.pay(existing, d)
    return Change(c, "disbursement_recorded", data, entries)


def repay(existing: Commitment | None, d: dict[str, Any]) -> Change:
    pid, amount, received_on = d["proposal_id"], d["amount_vnd"], day(d["received_on"])
    c = _open(existing, pid, Stage.CONTRACTED, Stage.ACCEPTED, Stage.SETTLED, Stage.CANCELLED)
    if not c.recoverable:
        raise Refused("not_recoverable", f"proposal {pid} is not recoverable support")
    if c.repaid_vnd + amount > sum(r.amount_vnd for r in c.repayments):
        raise Refused("over_repayment", f"repayments of {pid} would exceed its schedule")
    c.repaid_vnd += amount
    arrears = max(0, due_by(c.repayments, received_on) - c.repaid_vnd)
    data = {
        **c.keys(),
        "amount_vnd": amount,
        "received_on": d["received_on"],
        "repaid_total_vnd": c.repaid_vnd,
        "arrears_vnd": arrears,
    }
    return Change(c, "repayment_recorded", data, [Entry(EntryKind.REPAYMENT, amount, received_on)])
