"""The lifecycle rules: one function per lifecycle event type, each returning what changed.

Each rule takes the proposal as it stands (None before submission) and the event's validated
data, and returns the proposal after the event with the name and data of the domain event to
announce. A broken rule raises `Refused` (never applicable) or `Early` (retry later).

Events of one proposal come from several senders and may arrive in any order. A step before
the one it needs is early; after a cancellation or a rejection, an event dated on or before it
is history (`before_closing`): the contract existed, the progress was made. It is checked
against where the proposal's history had got to, recorded and announced, and the proposal
stays closed. One dated after the closing is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from grantflow.domain import Early, Refused, day, to_change
from grantflow.reference import ceiling_for, code_on
from proposals.domain.model import RANK, TERMINAL, Line, Proposal, State
from proposals.domain.support import overrides_already_supported


@dataclass(frozen=True, slots=True)
class Change:
    proposal: Proposal
    previous_state: State | None
    event: str  # the domain event's name, e.g. "proposal_approved"
    data: dict[str, Any]


Rule = Callable[[Proposal | None, dict[str, Any], date], Change]


def _lines(raw: list[dict[str, Any]] | None) -> list[Line]:
    return [Line(day(r["due_on"]), r["amount_vnd"]) for r in raw or []]


def require(proposal: Proposal | None, proposal_id: str, *allowed: State) -> Proposal:
    """The proposal, if its state allows the event; else `Early` or `Refused`."""
    if proposal is None:
        raise Early("unknown_proposal", f"proposal {proposal_id} has not been submitted")
    if proposal.state in allowed:
        return to_change(proposal)
    wanted = ", ".join(allowed)
    if proposal.state not in TERMINAL and RANK[proposal.state] < min(RANK[s] for s in allowed):
        raise Early(
            "prerequisite_missing",
            f"proposal {proposal_id} is {proposal.state}; this event needs {wanted}",
        )
    raise Refused(
        "illegal_transition", f"proposal {proposal_id} is {proposal.state}; this needs {wanted}"
    )


def _move(
    proposal: Proposal, to: State, event: str, data: dict[str, Any], before: State | None
) -> Change:
    proposal.state = to
    proposal.version += 1
    return Change(proposal, before, event, data)


def submit(existing: Proposal | None, d: dict[str, Any], on: date) -> Change:
    pid = d["proposal_id"]
    if existing is not None and existing.state != State.REVISION:
        raise Refused("illegal_transition", f"proposal {pid} already exists ({existing.state})")
    code = code_on(d["province"], on)  # an old code after the 2025 merger: its new unit
    if existing is not None:
        _same_keys(existing, {**d, "province": code or d["province"]})
    if code is None:
        raise Refused("unknown_province", f"no province has code {d['province']} on {on}")
    start, end = day(d["planned_start"]), day(d["planned_end"])
    if end < start:
        raise Refused("dates_out_of_order", f"planned_end {end} is before planned_start {start}")
    fields: dict[str, Any] = dict(
        province=code,
        year=d["year"],
        source_fund=d["source_fund"],
        activity=d["activity"],
        title=d["title"],
        requested_vnd=d["requested_vnd"],
        counterpart_vnd=d.get("counterpart_vnd", 0),
        planned_start=start,
        planned_end=end,
        targets=d.get("targets", {}),
        beneficiary=d.get("beneficiary"),
        beneficiary_ids=d.get("beneficiary_ids", []),
        cluster_id=d.get("cluster_id"),
    )
    if existing is None:
        proposal, before = Proposal(proposal_id=pid, **fields), None
    else:
        proposal, before = to_change(existing), existing.state
        for name, value in fields.items():
            setattr(proposal, name, value)
        # A resubmitted proposal is appraised afresh.
        proposal.score = proposal.appraisal_outcome = proposal.appraisal_note = None
        proposal.ceiling_vnd, proposal.over_ceiling = None, False
        proposal.already_supported = []
    data: dict[str, Any] = {
        **{
            k: fields[k]
            for k in ("title", "requested_vnd", "counterpart_vnd", "targets", "beneficiary")
        },
        "planned_start": d["planned_start"],
        "planned_end": d["planned_end"],
        "resubmission": existing is not None,
        **{k: d[k] for k in ("beneficiary_ids", "cluster_id") if k in d},
    }
    if code != d["province"]:  # the mapping, recorded in the event and the event log
        data["province_as_sent"] = d["province"]
    return _move(proposal, State.SUBMITTED, "proposal_submitted", data, before)


KEYS = ("province", "year", "source_fund", "activity")


def _same_keys(existing: Proposal, d: dict[str, Any]) -> None:
    """A resubmission cannot move a proposal: its keys are fixed at the first submission."""
    moved = [k for k in KEYS if d[k] != getattr(existing, k)]
    if moved:
        raise Refused(
            "proposal_keys_changed",
            f"a resubmission keeps {', '.join(KEYS)}; it changes {', '.join(moved)} of "
            f"proposal {d['proposal_id']}",
        )


def appraise(existing: Proposal | None, d: dict[str, Any], on: date) -> Change:
    if existing is not None and existing.state == State.REVISION:  # resubmission may follow
        raise Early("prerequisite_missing", f"proposal {d['proposal_id']} awaits resubmission")
    p = require(existing, d["proposal_id"], State.SUBMITTED, State.IN_APPRAISAL)
    before = p.state
    ceiling = ceiling_for(p.activity, p.source_fund, on)
    p.ceiling_vnd = ceiling.limit_for(p.total_cost_vnd) if ceiling else None
    p.over_ceiling = p.ceiling_vnd is not None and p.requested_vnd > p.ceiling_vnd
    p.score, p.appraisal_outcome, p.appraisal_note = d["score"], d["outcome"], d.get("note")
    to = State.REVISION if d["outcome"] == "revise" else State.IN_APPRAISAL
    data = {
        "score": p.score,
        "outcome": p.appraisal_outcome,
        "note": p.appraisal_note,
        "ceiling_vnd": p.ceiling_vnd,
        "over_ceiling": p.over_ceiling,
    }
    return _move(p, to, "proposal_appraised", data, before)


def approve(existing: Proposal | None, d: dict[str, Any], on: date) -> Change:
    pid, amount, approved_on = d["proposal_id"], d["approved_vnd"], day(d["approved_on"])
    p = require(existing, pid, State.IN_APPRAISAL)
    if p.appraisal_outcome != "pass":
        raise Refused("illegal_transition", f"proposal {pid}'s appraisal outcome is not pass")
    if amount > p.requested_vnd:
        raise Refused(
            "approved_over_request",
            f"approved {amount} ₫ is more than the {p.requested_vnd} ₫ requested",
        )
    ceiling = ceiling_for(p.activity, p.source_fund, approved_on)
    if ceiling is not None and amount > (limit := ceiling.limit_for(p.total_cost_vnd)):
        raise Refused(
            "over_ceiling",
            f"approved {amount} ₫ is over the ceiling of {limit} ₫ "
            f"for {p.activity} in force on {approved_on} ({ceiling.source})",
        )
    override = overrides_already_supported(p, d)
    before = p.state
    p.approved_vnd, p.approved_on, p.decision_no = amount, approved_on, d.get("decision_no")
    data = {"approved_vnd": amount, "approved_on": d["approved_on"], "decision_no": p.decision_no}
    if override:
        p.already_supported_override = data["override_already_supported"] = override
    return _move(p, State.APPROVED, "proposal_approved", data, before)


def reject(existing: Proposal | None, d: dict[str, Any], on: date) -> Change:
    p = require(existing, d["proposal_id"], State.SUBMITTED, State.IN_APPRAISAL, State.REVISION)
    before, p.closing_reason = p.state, d["reason"]
    p.closed_on, p.reached = on, before
    return _move(p, State.REJECTED, "proposal_rejected", {"reason": d["reason"]}, before)


def sign_contract(existing: Proposal | None, d: dict[str, Any], on: date) -> Change:
    pid, amount = d["proposal_id"], d["amount_vnd"]
    p = require(existing, pid, State.APPROVED)
    assert p.approved_vnd is not None
    if amount > p.approved_vnd:
        raise Refused(
            "contract_over_approved",
            f"contract {amount} ₫ is more than the {p.approved_vnd} ₫ approved",
        )
    tranches, repayments = _lines(d["tranches"]), _lines(d.get("repayments"))
    if sum(t.amount_vnd for t in tranches) != amount:
        raise Refused(
            "tranches_mismatch",
            f"tranches add up to "
            f"{sum(t.amount_vnd for t in tranches)} ₫, the contract is {amount} ₫",
        )
    recoverable = bool(d.get("recoverable", False))
    if repayments and (not recoverable or sum(r.amount_vnd for r in repayments) != amount):
        raise Refused(
            "repayments_mismatch",
            "repayments need recoverable support and must add up to the contract",
        )
    before = p.state
    p.contract_no, p.contract_vnd, p.signed_on = d["contract_no"], amount, day(d["signed_on"])
    p.tranches, p.recoverable, p.repayments = tranches, recoverable, repayments
    data = {
        "contract_no": p.contract_no,
        "amount_vnd": amount,
        "signed_on": d["signed_on"],
        "tranches": d["tranches"],
        "recoverable": recoverable,
        "repayments": d.get("repayments", []),
    }
    if p.closed_on is not None:  # a contract recorded after its proposal's cancellation
        data["cancelled_on"] = p.closed_on.isoformat()
    return _move(p, State.CONTRACTED, "contract_signed", data, before)


def report_progress(existing: Proposal | None, d: dict[str, Any], on: date) -> Change:
    if _late_report(existing, d):
        # A report as of a day on or before the acceptance, overtaken by it: history. The
        # proposal stays where it is; the report is announced for the record.
        assert existing is not None
        p = to_change(existing)
        data = {
            "as_of": d["as_of"],
            "percent_complete": d["percent_complete"],
            "outputs": d.get("outputs", {}),
        }
        return _move(p, p.state, "progress_reported", data, p.state)
    p = require(existing, d["proposal_id"], State.CONTRACTED, State.IN_PROGRESS)
    before, as_of = p.state, day(d["as_of"])
    if p.progress_as_of is None or as_of >= p.progress_as_of:  # a late older report is history
        p.percent_complete, p.progress_as_of = d["percent_complete"], as_of
        p.outputs = d.get("outputs", p.outputs)
    data = {
        "as_of": d["as_of"],
        "percent_complete": d["percent_complete"],
        "outputs": d.get("outputs", {}),
    }
    return _move(p, State.IN_PROGRESS, "progress_reported", data, before)


def _late_report(existing: Proposal | None, d: dict[str, Any]) -> bool:
    return (
        existing is not None
        and existing.state in (State.ACCEPTED, State.SETTLED)
        and existing.accepted_on is not None
        and day(d["as_of"]) <= existing.accepted_on
    )


def accept(existing: Proposal | None, d: dict[str, Any], on: date) -> Change:
    p = require(existing, d["proposal_id"], State.CONTRACTED, State.IN_PROGRESS)
    before, p.accepted_on = p.state, day(d["accepted_on"])
    p.outputs = d.get("outputs", p.outputs)
    data = {"accepted_on": d["accepted_on"], "outputs": p.outputs}
    return _move(p, State.ACCEPTED, "proposal_accepted", data, before)


def settle(existing: Proposal | None, d: dict[str, Any], on: date) -> Change:
    pid, amount = d["proposal_id"], d["settled_vnd"]
    if existing is not None and existing.state in (State.CONTRACTED, State.IN_PROGRESS):
        raise Early(
            "not_accepted",
            f"proposal {pid} is {existing.state}; settlement comes only after acceptance",
        )
    p = require(existing, pid, State.ACCEPTED)
    assert p.contract_vnd is not None
    if amount > p.contract_vnd:
        raise Refused(
            "settlement_over_contract",
            f"settled {amount} ₫ is more than the contract's {p.contract_vnd} ₫",
        )
    before, p.settled_vnd, p.settled_on = p.state, amount, day(d["settled_on"])
    data = {"settled_vnd": amount, "settled_on": d["settled_on"], "contract_vnd": p.contract_vnd}
    return _move(p, State.SETTLED, "proposal_settled", data, before)


def cancel(existing: Proposal | None, d: dict[str, Any], on: date) -> Change:
    open_states = [s for s in State if s not in TERMINAL]
    p = require(existing, d["proposal_id"], *open_states)
    before, p.closing_reason = p.state, d["reason"]
    p.closed_on, p.reached = on, before
    return _move(p, State.CANCELLED, "proposal_cancelled", {"reason": d["reason"]}, before)


DATE_FIELDS = ("signed_on", "approved_on", "accepted_on", "settled_on", "as_of")


def dated(d: dict[str, Any], on: date) -> date:
    """The day an event says it happened: its own date field, else its envelope's time."""
    return next((day(d[k]) for k in DATE_FIELDS if k in d), on)


# From which states each closing may come: what history may reach before it.
CLOSED_FROM = {
    State.CANCELLED: frozenset(s for s in State if s not in TERMINAL),
    State.REJECTED: frozenset({State.SUBMITTED, State.IN_APPRAISAL, State.REVISION}),
}
CLOSING = {State.CANCELLED: "cancellation", State.REJECTED: "rejection"}


def before_closing(rule: Rule) -> Rule:
    """`rule`, which on a cancelled or rejected proposal takes an event dated on or before the
    closing as history: checked against where the history had got to (`reached`; a step
    before the one it needs is still early), recorded, announced with the closed state."""

    def apply(existing: Proposal | None, d: dict[str, Any], on: date) -> Change:
        if existing is None or existing.state not in CLOSED_FROM:
            return rule(existing, d, on)
        closed, closed_on = existing.state, existing.closed_on
        pid, when, closing = d["proposal_id"], dated(d, on), CLOSING[existing.state]
        if existing.reached is None or closed_on is None or when > closed_on:
            raise Refused(
                "illegal_transition",
                f"proposal {pid} is {closed} since {closed_on}; this event, dated {when}, "
                f"comes after the {closing}",
            )
        then = to_change(existing)
        then.state = existing.reached
        change = rule(then, d, on)
        p, reached = change.proposal, change.proposal.state
        if reached not in CLOSED_FROM[closed]:
            raise Refused(
                "illegal_transition",
                f"proposal {pid} is {closed} since {closed_on}; it cannot have been "
                f"{reached} before that: correct the {closing} or this event",
            )
        p.state, p.reached = closed, reached
        return Change(p, closed, change.event, change.data)

    return apply


RULES: dict[str, Rule] = {
    "proposal.submitted": before_closing(submit),
    "proposal.appraised": before_closing(appraise),
    "proposal.approved": before_closing(approve),
    "proposal.rejected": reject,
    "contract.signed": before_closing(sign_contract),
    "progress.reported": before_closing(report_progress),
    "proposal.accepted": before_closing(accept),
    "proposal.settled": before_closing(settle),
    "proposal.cancelled": cancel,
}
