"""Payments against acceptance, settlement and cancellation in either order (issue 12, §1).

Pure rules, no I/O: each pair of events that reach the disbursement service by different
paths is applied both ways round, and must end in the same commitment (or be refused with a
code a person can act on, whichever way round).
"""

from __future__ import annotations

from datetime import date
from itertools import permutations
from typing import Any

import pytest

from disbursement.domain import rules
from disbursement.domain.model import Commitment, Entry, EntryKind, Stage
from grantflow.errors import Refused
from tests.support import money
from tests.support.early import retrying

CONTRACT = 150_000_000
ADVANCE = CONTRACT * 70 // 100  # 105 M, the machinery cap
REST = CONTRACT - ADVANCE


def contracted(pid: str = "BD-1") -> Commitment:
    return rules.commit(None, money.contract_signed(pid, CONTRACT)["data"]).aggregate  # type: ignore[return-value]


def apply(c: Commitment, event: dict[str, Any]) -> rules.Change:
    d = event["data"]
    match event["type"]:
        case "disbursement.made":
            return rules.pay(c, d)
        case "repayment.received":
            return rules.repay(c, d)
        case "proposal_accepted":
            return rules.accept(c, d)
        case "proposal_settled":
            return rules.settle(c, d)
        case "proposal_cancelled":
            change = rules.cancel(c, d, date(2016, 7, 1))
            assert change is not None
            return change
    raise AssertionError(event["type"])


def run(c: Commitment, events: list[dict[str, Any]]) -> tuple[Commitment, list[Entry]]:
    """Apply in order, retrying what is early after the others (as the ingest does)."""
    entries: list[Entry] = []

    def step(event: dict[str, Any]) -> None:
        nonlocal c
        change = apply(c, event)
        c = change.aggregate  # type: ignore[assignment]
        entries.extend(change.entries)

    retrying(events, step, lambda e: e["type"])
    return c, entries


def settled(amount: int, on: str = "2016-10-15") -> dict[str, Any]:
    event = money.settled("BD-1", amount, CONTRACT)
    event["data"]["settled_on"] = on
    return event


def summary(c: Commitment, entries: list[Entry]) -> tuple[Any, ...]:
    """The commitment's figures and what its ledger lines add up to: the refund due, what is
    owed (payable less payable_paid) and what was released."""

    def total(*kinds: EntryKind) -> int:
        return sum(e.amount_vnd for e in entries if e.kind in kinds)

    owed = total(EntryKind.PAYABLE) - total(EntryKind.PAYABLE_PAID)
    lines = (total(EntryKind.REFUND_DUE), owed, total(EntryKind.RELEASE))
    return c.stage, c.paid_vnd, c.settled_vnd, c.refund_due_vnd, c.owed_vnd, lines


HISTORIES = {
    "final before settlement, settled below: a refund": (
        [money.payment("BD-1", REST, "final", "F", "2016-10-10"), settled(CONTRACT - 1_500_000)],
        (Stage.SETTLED, CONTRACT, CONTRACT - 1_500_000, 1_500_000, 0),
    ),
    "balance paid after the settlement": (
        [
            settled(CONTRACT - 1_000_000),
            money.payment("BD-1", REST - 1_000_000, "final", "F", "2016-10-25"),
        ],
        (Stage.SETTLED, CONTRACT - 1_000_000, CONTRACT - 1_000_000, 0, 0),
    ),
    "part still owed": (
        [money.payment("BD-1", REST // 3, "payment", "P", "2016-10-10"), settled(CONTRACT)],
        (Stage.SETTLED, ADVANCE + REST // 3, CONTRACT, 0, REST - REST // 3),
    ),
}


@pytest.mark.parametrize("name", HISTORIES)
def test_a_payment_and_its_settlement_end_the_same_in_either_order(name: str):
    events, expected = HISTORIES[name]
    start = rules.accept(
        rules.pay(contracted(), money.payment("BD-1", ADVANCE, voucher="A")["data"]).aggregate,  # type: ignore[arg-type]
        money.accepted("BD-1")["data"],
    ).aggregate
    ends = {summary(*run(start, list(order))) for order in permutations(events)}  # type: ignore[arg-type]
    assert len(ends) == 1, ends
    (end,) = ends
    assert end[:5] == expected
    assert end[5] == (expected[3], expected[4], CONTRACT - expected[2])


def test_the_settlement_states_what_is_owed_and_a_later_payment_what_is_left():
    c, _ = run(contracted(), [money.payment("BD-1", ADVANCE, voucher="A"), money.accepted("BD-1")])
    change = rules.settle(c, settled(CONTRACT - 5_000_000)["data"])
    assert change.data["owed_vnd"] == REST - 5_000_000 and change.data["refund_due_vnd"] == 0
    assert Entry(EntryKind.PAYABLE, REST - 5_000_000, date(2016, 10, 15)) in change.entries
    late = money.payment("BD-1", 10_000_000, "payment", "P", "2016-11-02")["data"]
    paid = rules.pay(change.aggregate, late)  # type: ignore[arg-type]
    assert paid.data["settled_vnd"] == CONTRACT - 5_000_000
    assert paid.data["settled_on"] == "2016-10-15"
    assert (paid.data["owed_vnd"], paid.data["refund_due_vnd"]) == (REST - 15_000_000, 0)
    assert Entry(EntryKind.PAYABLE_PAID, 10_000_000, date(2016, 11, 2)) in paid.entries


def test_a_payment_after_the_settlement_beyond_the_settled_amount_is_refused_over_settlement():
    c, _ = run(contracted(), [money.payment("BD-1", ADVANCE, voucher="A"), money.accepted("BD-1")])
    c = rules.settle(c, settled(CONTRACT - 1_000_000)["data"]).aggregate  # type: ignore[assignment]
    over = money.payment("BD-1", REST - 1_000_000 + 1, "final", "F", "2016-10-25")["data"]
    with pytest.raises(Refused) as caught:
        rules.pay(c, over)
    assert type(caught.value) is Refused and caught.value.code == "over_settlement"
    assert "still owed (44000000 ₫)" in caught.value.detail
    exact = money.payment("BD-1", REST - 1_000_000, "final", "F", "2016-10-25")["data"]
    assert rules.pay(c, exact).data["owed_vnd"] == 0


def test_a_payment_dated_before_the_settlement_may_still_exceed_it_and_raises_the_refund():
    """Money that was already out when the contract was settled is a fact: held to the
    contract, and the refund due grows, as of the settlement."""
    c, _ = run(contracted(), [money.payment("BD-1", ADVANCE, voucher="A"), money.accepted("BD-1")])
    c = rules.settle(c, settled(ADVANCE - 5_000_000)["data"]).aggregate  # type: ignore[assignment]
    assert c.refund_due_vnd == 5_000_000
    change = rules.pay(c, money.payment("BD-1", REST, "final", "F", "2016-10-15")["data"])
    assert change.data["refund_due_vnd"] == REST + 5_000_000
    assert Entry(EntryKind.REFUND_DUE, REST, date(2016, 10, 15)) in change.entries
    with pytest.raises(Refused) as caught:
        rules.pay(c, money.payment("BD-1", REST + 1, "final", "G", "2016-10-15")["data"])
    assert caught.value.code == "over_contract"


def test_a_payment_and_the_cancellation_it_predates_end_the_same_in_either_order():
    advance = money.payment("BD-1", 50_000_000, voucher="A", paid_on="2016-05-10")
    cancelled = money.cancelled("BD-1")
    ends = set()
    for order in ([advance, cancelled], [cancelled, advance]):
        c, entries = run(contracted(), order)
        committed = sum(
            e.amount_vnd if e.kind == EntryKind.COMMITMENT else -e.amount_vnd
            for e in entries
            if e.kind in (EntryKind.COMMITMENT, EntryKind.RELEASE)
        )
        ends.add((c.stage, c.paid_vnd, CONTRACT + committed))
    assert ends == {(Stage.CANCELLED, 50_000_000, 50_000_000)}


def test_a_payment_dated_after_the_cancellation_is_refused_paid_after_cancellation():
    c = apply(contracted(), money.cancelled("BD-1")).aggregate
    late = money.payment("BD-1", 1, paid_on="2016-07-02")["data"]
    with pytest.raises(Refused) as caught:
        rules.pay(c, late)  # type: ignore[arg-type]
    assert type(caught.value) is Refused and caught.value.code == "paid_after_cancellation"


def test_an_acceptance_overtaken_by_the_cancellation_is_history():
    c = apply(contracted(), money.cancelled("BD-1")).aggregate
    change = rules.accept(c, money.accepted("BD-1")["data"])  # type: ignore[arg-type]
    assert change.aggregate.stage == Stage.CANCELLED  # type: ignore[union-attr]
    assert change.aggregate.accepted_on == date(2016, 9, 30)  # type: ignore[union-attr]
    assert change.event is None and change.entries == []


def test_an_interim_payment_recorded_before_the_advance_it_follows_leaves_the_advance_in_cap():
    interim = money.payment("BD-1", REST // 2, "payment", "P", "2016-10-05")
    advance = money.payment("BD-1", ADVANCE, "advance", "A", "2016-05-10")
    ends = {
        (c.paid_vnd, c.advances_vnd)
        for c, _ in (
            run(contracted(), [*order, money.accepted("BD-1")])
            for order in ([interim, advance], [advance, interim])
        )
    }
    assert ends == {(ADVANCE + REST // 2, ADVANCE)}


def test_repayments_are_received_whatever_the_stage_of_the_contract():
    c = rules.commit(
        None, money.contract_signed("LD-1", CONTRACT, repayments=[("2017-06-30", CONTRACT)])["data"]
    ).aggregate
    c = apply(c, money.cancelled("LD-1")).aggregate  # type: ignore[arg-type]
    change = rules.repay(c, money.repayment("LD-1", 1_000_000, "2017-07-01")["data"])  # type: ignore[arg-type]
    assert change.aggregate.repaid_vnd == 1_000_000  # type: ignore[union-attr]
