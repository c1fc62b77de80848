"""Every event of a proposal, and of a plan, in any order (issue 12, §1): pure rules, no I/O.

A correct history whose events arrive in any order must end the same: what is early is retried
(as the ingest does) until its prerequisite is there; after a cancellation, an event dated on
or before it is history (recorded, announced, the proposal stays cancelled); the plan in force
is the latest-dated decision. Each decision is tested both ways round.
"""

from __future__ import annotations

import copy
import random
from datetime import UTC, date, datetime
from itertools import permutations
from typing import Any

import pytest

from disbursement.domain import rules as money_rules
from disbursement.domain.model import EntryKind, Plan, Stage
from grantflow.errors import Early, Refused
from proposals.domain.lifecycle import RULES, Change
from proposals.domain.model import Proposal, State
from tests.support import events as ev
from tests.support import money
from tests.support.early import retrying

PID = "BD-2016-KC-009"
CANCELLED_ON = date(2016, 7, 1)


def on_of(built: dict[str, Any]) -> date:
    return date.fromisoformat(built["time"][:10])


def dated(built: dict[str, Any], on: str) -> dict[str, Any]:
    built = copy.deepcopy(built)
    built["time"] = f"{on}T08:00:00+07:00"
    return built


def cancellation(on: date = CANCELLED_ON) -> dict[str, Any]:
    return dated(ev.cancelled(PID), on.isoformat())


def apply(p: Proposal | None, built: dict[str, Any]) -> Change:
    return RULES[built["type"]](p, copy.deepcopy(built["data"]), on_of(built))


def run(events: list[dict[str, Any]]) -> tuple[Proposal, list[Change]]:
    """Apply in the order given, retrying what is early after the others (as the ingest does)."""
    changes: list[Change] = []

    def step(built: dict[str, Any]) -> None:
        changes.append(apply(changes[-1].proposal if changes else None, built))

    retrying(events, step, lambda e: e["type"])
    return changes[-1].proposal, changes


# A cancelled history, each event dated as it happened: cancelled after the second report.
CANCELLED_HISTORY = [
    dated(ev.submitted(PID), "2016-03-01"),
    dated(ev.appraised(PID), "2016-03-20"),
    dated(ev.approved(PID), "2016-04-05"),
    dated(ev.contract_signed(PID), "2016-04-20"),
    dated(ev.progress(PID, 20, "2016-05-20"), "2016-05-20"),
    dated(ev.progress(PID, 40, "2016-06-20"), "2016-06-20"),
    cancellation(),
]


def ending(p: Proposal) -> tuple[Any, ...]:
    return (
        p.state,
        p.reached,
        p.closed_on,
        p.version,
        p.approved_vnd,
        p.contract_vnd,
        p.signed_on,
        p.percent_complete,
        p.progress_as_of,
    )


EXPECTED = (
    State.CANCELLED,
    State.IN_PROGRESS,
    CANCELLED_ON,
    7,
    150_000_000,
    150_000_000,
    date(2016, 4, 20),
    40,
    date(2016, 6, 20),
)


def test_a_cancelled_history_in_sender_order_ends_cancelled_having_reached_its_progress():
    p, changes = run(CANCELLED_HISTORY)
    assert ending(p) == EXPECTED
    assert [c.event for c in changes][-1] == "proposal_cancelled"


ORDERS = list(permutations(range(len(CANCELLED_HISTORY))))


@pytest.mark.parametrize("seed", range(40))
def test_a_cancelled_history_in_any_order_ends_the_same_with_every_event_announced(seed: int):
    order = random.Random(seed).choice(ORDERS)
    p, changes = run([CANCELLED_HISTORY[i] for i in order])
    assert ending(p) == EXPECTED, order
    assert sorted(c.event for c in changes) == sorted(
        [
            "proposal_submitted",
            "proposal_appraised",
            "proposal_approved",
            "contract_signed",
            "progress_reported",
            "progress_reported",
            "proposal_cancelled",
        ]
    )
    after = [c for c in changes[[c.event for c in changes].index("proposal_cancelled") + 1 :]]
    assert all(c.proposal.state == State.CANCELLED for c in after)  # history: stays cancelled
    assert all(c.previous_state == State.CANCELLED for c in after)


def test_a_contract_after_its_later_dated_cancellation_is_history_and_names_the_cancellation():
    approved = run(CANCELLED_HISTORY[:3])[0]
    cancelled = apply(approved, cancellation()).proposal
    assert (cancelled.state, cancelled.reached) == (State.CANCELLED, State.APPROVED)
    change = apply(cancelled, CANCELLED_HISTORY[3])
    assert change.event == "contract_signed"
    assert (change.proposal.state, change.proposal.reached) == (State.CANCELLED, State.CONTRACTED)
    assert change.data["cancelled_on"] == "2016-07-01"  # disbursement releases it as of then
    # the other way round: the contract as usual, no cancelled_on, then the cancellation
    contracted = apply(approved, CANCELLED_HISTORY[3])
    assert "cancelled_on" not in contracted.data
    assert apply(contracted.proposal, cancellation()).proposal.reached == State.CONTRACTED


def test_an_event_dated_after_the_cancellation_is_refused_in_the_order_it_came():
    approved = run(CANCELLED_HISTORY[:3])[0]
    cancelled = apply(approved, cancellation()).proposal
    late = dated(ev.contract_signed(PID), "2016-08-01")
    late["data"]["signed_on"] = "2016-08-01"
    with pytest.raises(Refused) as caught:
        apply(cancelled, late)
    assert type(caught.value) is Refused and caught.value.code == "illegal_transition"
    assert "2016-07-01" in caught.value.detail and "2016-08-01" in caught.value.detail


def test_a_history_event_still_waits_for_its_own_prerequisite():
    submitted = run(CANCELLED_HISTORY[:1])[0]
    cancelled = apply(submitted, cancellation()).proposal
    with pytest.raises(Early) as caught:
        apply(cancelled, CANCELLED_HISTORY[3])  # the contract before its approval
    assert caught.value.code == "prerequisite_missing"


def test_a_history_event_is_checked_like_any_other():
    approved = run(CANCELLED_HISTORY[:3])[0]
    cancelled = apply(approved, cancellation()).proposal
    over = copy.deepcopy(CANCELLED_HISTORY[3])
    over["data"]["amount_vnd"] = 150_000_001
    with pytest.raises(Refused) as caught:
        apply(cancelled, over)
    assert caught.value.code == "contract_over_approved"


def test_a_settlement_dated_before_the_cancellation_contradicts_it():
    history = [dated(e, "2016-06-01") for e in ev.full_lifecycle(PID)[:6]]
    accepted = run(history)[0]
    cancelled = apply(accepted, cancellation()).proposal
    settled = dated(ev.settled(PID), "2016-06-15")
    settled["data"]["settled_on"] = "2016-06-15"
    with pytest.raises(Refused) as caught:
        apply(cancelled, settled)
    assert caught.value.code == "illegal_transition"
    assert "cannot have been settled" in caught.value.detail


def test_a_proposal_cancelled_before_this_rule_refuses_late_events_as_before():
    cancelled = apply(run(CANCELLED_HISTORY[:3])[0], cancellation()).proposal
    cancelled.reached = None  # stored before `reached` was recorded
    with pytest.raises(Refused) as caught:
        apply(cancelled, CANCELLED_HISTORY[3])
    assert caught.value.code == "illegal_transition"


# --- disbursement: a contract recorded after its proposal's cancellation ------------------


def late_contract() -> dict[str, Any]:
    event = money.contract_signed(PID, 150_000_000)
    event["data"].update(state="cancelled", previous_state="cancelled", cancelled_on="2016-07-01")
    return event


def test_a_late_contract_is_committed_cancelled_and_released_as_of_the_cancellation():
    change = money_rules.commit(None, late_contract()["data"])
    c = change.aggregate
    assert (c.stage, c.cancelled_on) == (Stage.CANCELLED, CANCELLED_ON)  # type: ignore[union-attr]
    assert change.event == "commitment_recorded"
    assert [(e.kind, e.amount_vnd, e.on) for e in change.entries] == [
        (EntryKind.COMMITMENT, 150_000_000, date(2016, 4, 20)),
        (EntryKind.RELEASE, 150_000_000, CANCELLED_ON),
    ]


@pytest.mark.parametrize("payment_first", [True, False])
def test_an_advance_and_a_late_contract_end_committed_at_what_was_paid_in_either_order(
    payment_first: bool,
):
    advance = money.payment(PID, 105_000_000, "advance", "A", "2016-04-25")["data"]
    if payment_first:
        with pytest.raises(Early) as caught:
            money_rules.pay(None, advance)
        assert caught.value.code == "unknown_commitment"  # retried until the contract is here
    committed = money_rules.commit(None, late_contract()["data"])
    paid = money_rules.pay(committed.aggregate, advance)  # type: ignore[arg-type]
    lines = committed.entries + paid.entries
    net = sum(
        e.amount_vnd if e.kind == EntryKind.COMMITMENT else -e.amount_vnd
        for e in lines
        if e.kind in (EntryKind.COMMITMENT, EntryKind.RELEASE)
    )
    assert net == 105_000_000 == paid.aggregate.paid_vnd  # type: ignore[union-attr]
    late = money.payment(PID, 45_000_000, "payment", "B", "2016-08-01")["data"]
    with pytest.raises(Refused) as refused:
        money_rules.pay(paid.aggregate, late)  # type: ignore[arg-type]
    assert refused.value.code == "paid_after_cancellation"


def test_an_acceptance_after_a_late_contract_of_a_cancelled_proposal_is_history():
    c = money_rules.commit(None, late_contract()["data"]).aggregate
    accepted = money_rules.accept(c, money.accepted(PID)["data"])  # type: ignore[arg-type]
    assert accepted.aggregate.stage == Stage.CANCELLED  # type: ignore[union-attr]


# --- plans: the latest-dated adjustment is in force whatever the order ---------------------

PLAN_EVENTS = [
    ("2016-01-15", False, 2_500_000_000),
    ("2016-07-15", True, 3_200_000_000),
    ("2016-09-15", True, 2_800_000_000),
]


def record(order: tuple[int, ...]) -> list[Plan]:
    """Each plan event in `order`, retried while early; every version recorded in turn."""
    versions: list[Plan] = []

    def step(i: int) -> None:
        on, adjusted, amount = PLAN_EVENTS[i]
        d = money.plan("74", 2016, "national", amount, adjusted)["data"]
        at = datetime.fromisoformat(f"{on}T08:00:00+07:00").astimezone(UTC)
        change = money_rules.approve_plan(
            versions[-1] if versions else None,
            d,
            date.fromisoformat(on),
            adjusted,
            at=at,
            versions=versions,
        )
        for part in (change, *change.then):
            assert part.data["plan_version"] == len(versions) + 1  # no gap downstream
            versions.append(part.aggregate)  # type: ignore[arg-type]

    retrying(order, step, str)
    return versions


def in_force(versions: list[Plan], on: date) -> int | None:
    """As disbursement's reads and reporting take it: the latest version dated by `on`."""
    by = [v for v in versions if v.at is not None and v.at.date() <= on]
    return max(by, key=lambda v: v.version).amount_vnd if by else None


@pytest.mark.parametrize("order", list(permutations(range(3))), ids=str)
def test_the_latest_dated_adjustment_is_the_plan_in_force_whatever_the_order(
    order: tuple[int, ...],
):
    versions = record(order)
    assert in_force(versions, date(2016, 12, 31)) == 2_800_000_000
    assert in_force(versions, date(2016, 8, 1)) == 3_200_000_000
    assert in_force(versions, date(2016, 2, 1)) == 2_500_000_000
    assert in_force(versions, date(2016, 1, 1)) is None
    assert versions[-1].amount_vnd == 2_800_000_000  # the current plan


def test_an_older_adjustment_arriving_late_is_a_version_of_its_own_and_the_later_stays():
    versions = record((0, 2, 1))  # the September adjustment, then July's
    assert [(v.version, v.amount_vnd) for v in versions] == [
        (1, 2_500_000_000),
        (2, 2_800_000_000),
        (3, 3_200_000_000),  # July's, in force from July (it replaced the approval)
        (4, 2_800_000_000),  # September's again, as of September: still the plan in force
    ]
    assert versions[3].at == versions[1].at
    in_order = record((0, 1, 2))
    assert [v.amount_vnd for v in in_order] == [2_500_000_000, 3_200_000_000, 2_800_000_000]


@pytest.mark.parametrize("acceptance_first", [True, False])
def test_a_final_payment_waits_for_an_acceptance_that_arrives_after_the_cancellation(
    acceptance_first: bool,
):
    """Accepted, paid the balance, then cancelled; the cancellation overtook the acceptance
    (which comes as history), and the final payment comes between them or after."""
    c = money_rules.commit(None, money.contract_signed(PID, 150_000_000)["data"]).aggregate
    advance = money.payment(PID, 105_000_000, "advance", "A", "2016-04-25")["data"]
    c = money_rules.pay(c, advance).aggregate  # type: ignore[arg-type]
    cancelled = money_rules.cancel(c, money.cancelled(PID)["data"], date(2016, 11, 5))
    assert cancelled is not None
    c = cancelled.aggregate
    final = money.payment(PID, 45_000_000, "final", "F", "2016-10-20")["data"]
    if not acceptance_first:
        with pytest.raises(Early) as caught:
            money_rules.pay(c, final)  # type: ignore[arg-type]
        assert caught.value.code == "not_accepted"  # retried: not over_advance_cap
    c = money_rules.accept(c, money.accepted(PID)["data"]).aggregate  # type: ignore[arg-type]
    paid = money_rules.pay(c, final)  # type: ignore[arg-type]
    assert paid.aggregate.paid_vnd == 150_000_000  # type: ignore[union-attr]
    released = sum(e.amount_vnd for e in cancelled.entries if e.kind == EntryKind.RELEASE)
    recommitted = sum(e.amount_vnd for e in paid.entries if e.kind == EntryKind.COMMITMENT)
    assert 150_000_000 - released + recommitted == 150_000_000  # committed = paid


def test_a_resubmission_dated_before_the_cancellation_is_history_in_either_order():
    start = [
        dated(ev.submitted(PID), "2016-03-01"),
        dated(ev.appraised(PID, "revise"), "2016-03-20"),
    ]
    resubmitted = dated(ev.submitted(PID), "2016-05-02")
    one, _ = run([*start, resubmitted, cancellation()])
    other, changes = run([*start, cancellation(), resubmitted])
    assert (
        (one.state, one.reached)
        == (other.state, other.reached)
        == (
            State.CANCELLED,
            State.SUBMITTED,
        )
    )
    assert changes[-1].event == "proposal_submitted" and changes[-1].data["resubmission"]
    with pytest.raises(Refused) as caught:
        apply(run([*start, cancellation()])[0], dated(ev.submitted(PID), "2016-07-02"))
    assert caught.value.code == "illegal_transition"


def test_an_appraisal_overtaken_by_its_rejection_is_history_and_an_approval_contradicts_it():
    submitted = dated(ev.submitted(PID), "2016-03-01")
    appraised = dated(ev.appraised(PID), "2016-03-20")
    rejected = dated(ev.rejected(PID), "2016-04-01")
    one, _ = run([submitted, appraised, rejected])
    other, changes = run([submitted, rejected, appraised])
    assert (one.state, one.reached, one.score) == (other.state, other.reached, other.score)
    assert (other.state, other.reached) == (State.REJECTED, State.IN_APPRAISAL)
    assert changes[-1].event == "proposal_appraised"
    assert changes[-1].proposal.state == changes[-1].previous_state == State.REJECTED
    approved = dated(ev.approved(PID), "2016-03-25")
    approved["data"]["approved_on"] = "2016-03-25"
    with pytest.raises(Refused) as caught:  # approved before it was rejected: not a history
        apply(other, approved)
    assert caught.value.code == "illegal_transition"
    assert "cannot have been approved" in caught.value.detail
