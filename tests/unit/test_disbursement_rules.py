"""The disbursement service's pure rules (plans, commitments, payments, settlement, recoverable
support), the overdue arithmetic of its model and the two formulas of its reads.

No I/O: each rule is driven with the `data` of events built by tests/support/money.py.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from disbursement.domain import rules
from disbursement.domain.model import (
    Commitment,
    Entry,
    EntryKind,
    Line,
    Stage,
    cumulative,
    due_by,
    overdue,
)
from disbursement.views import change_percent, rate
from grantflow.errors import Early, Refused
from tests.support import money

CONTRACT = 150_000_000  # the report's machinery proposal: 150 M dong, 70% advance cap
SIGNED = date(2016, 4, 20)


def data(event: dict[str, Any]) -> dict[str, Any]:
    return event["data"]


def refused(code: str, call: Any, *args: Any) -> Refused:
    """Run a rule that must be refused with `code`; the exception."""
    with pytest.raises(Refused) as caught:
        call(*args)
    assert caught.value.code == code, caught.value
    assert caught.value.detail
    return caught.value


def contracted(
    pid: str = "BD-1",
    amount: int = CONTRACT,
    activity: str = "machinery",
    repayments: list[tuple[str, int]] | None = None,
) -> Commitment:
    event = money.contract_signed(
        pid, amount, repayments=repayments, where=money.scope(activity=activity)
    )
    return rules.commit(None, data(event)).aggregate  # type: ignore[return-value]


def paid(
    c: Commitment, amount: int, kind: str = "advance", voucher: str | None = None
) -> Commitment:
    change = rules.pay(c, data(money.payment(c.proposal_id, amount, kind, voucher)))
    return change.aggregate  # type: ignore[return-value]


def accepted(c: Commitment) -> Commitment:
    return rules.accept(c, data(money.accepted(c.proposal_id))).aggregate  # type: ignore[return-value]


# --- plans ---------------------------------------------------------------------------------


def test_a_plan_approved_then_adjusted_keeps_versions_one_and_two_and_the_previous_amount():
    on = date(2016, 1, 15)
    first = rules.approve_plan(
        None, data(money.plan("74", 2016, "national", 2_500_000_000)), on, False
    )
    assert first.event == "plan_approved"
    assert first.aggregate.version == 1
    assert first.data["plan_version"] == 1
    assert first.data["previous_amount_vnd"] is None
    assert first.data["adjusted"] is False
    assert first.data["decision_no"] == "QĐ-74-2016"
    assert first.entries == []

    adjusted = data(money.plan("74", 2016, "national", 2_650_000_000, adjusted=True))
    second = rules.approve_plan(first.aggregate, adjusted, date(2016, 6, 1), True)  # type: ignore[arg-type]
    assert second.event == "plan_approved"
    assert second.aggregate.version == 2
    assert second.aggregate.amount_vnd == 2_650_000_000
    assert second.data["plan_version"] == 2
    assert second.data["previous_amount_vnd"] == 2_500_000_000
    assert second.data["adjusted"] is True
    assert second.aggregate.key == "74:2016:national"  # type: ignore[union-attr]
    # the first version is untouched: every version is kept
    assert first.aggregate.version == 1 and first.aggregate.amount_vnd == 2_500_000_000


def test_a_plan_adjusted_before_it_was_approved_is_early_prerequisite_missing():
    d = data(money.plan("74", 2016, "national", 1, adjusted=True))
    error = refused("prerequisite_missing", rules.approve_plan, None, d, date(2016, 6, 1), True)
    assert isinstance(error, Early)


def test_a_plan_approved_twice_is_refused_as_an_illegal_transition_not_early():
    d = data(money.plan("74", 2016, "national", 2_500_000_000))
    first = rules.approve_plan(None, d, date(2016, 1, 15), False).aggregate
    error = refused("illegal_transition", rules.approve_plan, first, d, date(2016, 1, 16), False)
    assert not isinstance(error, Early)


def test_a_plan_of_an_unknown_province_is_refused_with_unknown_province():
    d = data(money.plan("99", 2016, "national", 1))
    error = refused("unknown_province", rules.approve_plan, None, d, date(2016, 1, 15), False)
    assert not isinstance(error, Early)


def test_a_plan_of_a_province_that_existed_in_its_year_is_accepted_after_the_2025_merger():
    # "74" (Bình Dương) became part of "79" on 2025-07-01: a 2016 plan still names 74
    d = data(money.plan("74", 2016, "national", 1))
    assert rules.approve_plan(None, d, date(2026, 1, 15), False).aggregate.version == 1


# --- commitments ---------------------------------------------------------------------------


def test_a_contract_is_committed_with_a_commitment_line_of_its_whole_amount():
    change = rules.commit(None, data(money.contract_signed("BD-1", CONTRACT)))
    c = change.aggregate
    assert isinstance(c, Commitment)
    assert change.event == "commitment_recorded"
    assert change.entries == [Entry(EntryKind.COMMITMENT, CONTRACT, SIGNED)]
    assert (c.stage, c.version, c.contract_vnd, c.paid_vnd) == (
        Stage.CONTRACTED,
        0,
        CONTRACT,
        0,
    )  # the handler numbers it
    assert c.tranches == [
        Line(date(2016, 4, 30), 105_000_000),
        Line(date(2016, 10, 31), 45_000_000),
    ]
    assert c.recoverable is False and c.repayments == []
    assert change.data["contract_vnd"] == CONTRACT
    assert change.data["proposal_id"] == "BD-1" and change.data["province"] == "74"


def test_a_contract_committed_twice_is_refused():
    c = contracted()
    error = refused(
        "illegal_transition", rules.commit, c, data(money.contract_signed("BD-1", CONTRACT))
    )
    assert not isinstance(error, Early)


# --- payments ------------------------------------------------------------------------------


def test_a_payment_before_its_contract_is_early_unknown_commitment():
    error = refused("unknown_commitment", rules.pay, None, data(money.payment("BD-1", 1)))
    assert isinstance(error, Early)


def test_an_advance_up_to_seventy_percent_of_a_machinery_contract_in_2016_is_paid():
    c = contracted()
    change = rules.pay(c, data(money.payment("BD-1", 105_000_000, voucher="UNC-1")))
    after = change.aggregate
    assert change.event == "disbursement_recorded"
    assert change.entries == [Entry(EntryKind.ADVANCE, 105_000_000, date(2016, 5, 10), "UNC-1")]
    assert (after.advances_vnd, after.payments_vnd, after.paid_vnd) == (105_000_000, 0, 105_000_000)
    assert after.vouchers == ["UNC-1"]
    assert change.data["paid_total_vnd"] == 105_000_000
    assert change.data["advances_total_vnd"] == 105_000_000
    # the rule works on a copy: the commitment it was given is unchanged
    assert (c.advances_vnd, c.paid_vnd, c.vouchers) == (0, 0, [])


def test_an_advance_one_dong_over_seventy_percent_is_refused_over_advance_cap():
    c = contracted()
    refused("over_advance_cap", rules.pay, c, data(money.payment("BD-1", 105_000_001)))
    # also when it is the second advance that crosses the cap
    c = paid(c, 100_000_000)
    refused("over_advance_cap", rules.pay, c, data(money.payment("BD-1", 5_000_001)))
    assert paid(c, 5_000_000).advances_vnd == 105_000_000


def test_an_industrial_cluster_contract_may_be_advanced_only_thirty_percent():
    c = contracted("CN-1", 1_000_000_000, activity="industrial_cluster")
    refused("over_advance_cap", rules.pay, c, data(money.payment("CN-1", 300_000_001)))
    assert paid(c, 300_000_000).advances_vnd == 300_000_000


def test_payments_that_would_sum_past_the_contract_are_refused_over_contract():
    c = paid(accepted(contracted()), 105_000_000)
    c = paid(c, 40_000_000, "payment")
    refused("over_contract", rules.pay, c, data(money.payment("BD-1", 5_000_001, "final")))
    last = paid(c, 5_000_000, "final")
    assert last.paid_vnd == CONTRACT
    refused("over_contract", rules.pay, last, data(money.payment("BD-1", 1, "payment")))


def test_a_voucher_already_paid_on_the_proposal_is_refused_even_with_another_amount():
    c = paid(contracted(), 10_000_000, voucher="UNC-7")
    error = refused(
        "voucher_used", rules.pay, c, data(money.payment("BD-1", 20_000_000, voucher="UNC-7"))
    )
    assert not isinstance(error, Early)
    assert paid(c, 20_000_000, voucher="UNC-8").vouchers == ["UNC-7", "UNC-8"]


def test_a_final_payment_before_acceptance_is_early_not_accepted_and_paid_after_it():
    c = paid(contracted(), 105_000_000)
    final = data(money.payment("BD-1", 45_000_000, "final", paid_on="2016-10-05"))
    error = refused("not_accepted", rules.pay, c, final)
    assert isinstance(error, Early)
    change = rules.pay(accepted(c), final)
    assert change.entries == [
        Entry(EntryKind.FINAL, 45_000_000, date(2016, 10, 5), final["voucher_no"])
    ]
    assert change.aggregate.paid_vnd == CONTRACT
    assert change.aggregate.stage == Stage.ACCEPTED


def test_before_acceptance_interim_payments_count_against_the_advance_cap():
    """Everything paid before acceptance is held to the advance cap (70% for machinery).

    An interim payment beyond the cap may be one the acceptance has not overtaken yet: it waits
    for the acceptance (early), where an advance beyond the cap is refused outright.
    """
    cap = CONTRACT * 70 // 100
    within = rules.pay(contracted(), data(money.payment("BD-1", cap, "payment")))
    assert within.aggregate.payments_vnd == cap
    beyond = data(money.payment("BD-1", cap + 1, "payment"))
    assert isinstance(refused("not_accepted", rules.pay, contracted(), beyond), Early)
    assert rules.pay(accepted(contracted()), beyond).aggregate.payments_vnd == cap + 1
    advance = data(money.payment("BD-1", cap + 1, "advance"))
    assert not isinstance(refused("over_advance_cap", rules.pay, contracted(), advance), Early)


# --- acceptance, settlement, cancellation --------------------------------------------------


def test_acceptance_moves_the_commitment_to_accepted_and_announces_nothing():
    change = rules.accept(contracted(), data(money.accepted("BD-1")))
    assert change.event is None and change.entries == []
    assert change.aggregate.stage == Stage.ACCEPTED
    assert change.aggregate.accepted_on == date(2016, 9, 30)


def test_a_settlement_below_what_was_paid_records_the_refund_due_and_releases_the_rest():
    c = paid(paid(accepted(contracted()), 105_000_000), 45_000_000, "final")
    assert c.paid_vnd == 150_000_000
    change = rules.settle(c, data(money.settled("BD-1", 148_500_000, CONTRACT)))
    on = date(2016, 10, 15)
    assert change.event == "settlement_recorded"
    assert change.entries == [
        Entry(EntryKind.RELEASE, 1_500_000, on),
        Entry(EntryKind.REFUND_DUE, 1_500_000, on),
    ]
    assert change.data["refund_due_vnd"] == 1_500_000
    assert change.data["released_vnd"] == 1_500_000
    assert change.data["paid_vnd"] == 150_000_000
    assert change.data["settled_vnd"] == 148_500_000
    assert change.aggregate.stage == Stage.SETTLED
    assert change.aggregate.settled_vnd == 148_500_000


def test_a_settlement_of_the_whole_contract_after_full_payment_has_no_refund_and_no_release():
    c = paid(paid(accepted(contracted()), 105_000_000), 45_000_000, "final")
    change = rules.settle(c, data(money.settled("BD-1", CONTRACT, CONTRACT)))
    assert change.entries == []
    assert (change.data["refund_due_vnd"], change.data["released_vnd"]) == (0, 0)


def test_a_settlement_before_acceptance_is_early_not_accepted():
    """The acceptance may still be on its way (e.g. being retried): wait for it."""
    c = paid(contracted(), 105_000_000)
    error = refused("not_accepted", rules.settle, c, data(money.settled("BD-1", 1, CONTRACT)))
    assert isinstance(error, Early)


def test_a_settlement_before_the_contract_is_early_unknown_commitment():
    error = refused("unknown_commitment", rules.settle, None, data(money.settled("BD-1", 1, 1)))
    assert isinstance(error, Early)


def test_a_cancellation_releases_what_was_committed_and_not_paid():
    c = paid(contracted(), 105_000_000)
    change = rules.cancel(c, data(money.cancelled("BD-1")), date(2016, 6, 1))
    assert change is not None and change.event is None
    assert change.entries == [Entry(EntryKind.RELEASE, 45_000_000, date(2016, 6, 1))]
    assert change.aggregate.stage == Stage.CANCELLED
    # nothing is paid on a cancelled proposal after its cancellation
    late = data(money.payment("BD-1", 1, paid_on="2016-06-02"))
    refused("paid_after_cancellation", rules.pay, change.aggregate, late)


def test_a_cancellation_of_a_proposal_never_contracted_changes_nothing_here():
    never = data(money.cancelled("BD-1"))
    never["previous_state"] = "approved"
    assert rules.cancel(None, never, date(2016, 6, 1)) is None


def test_a_cancellation_that_overtakes_its_contract_waits_for_it():
    error = refused(
        "unknown_commitment", rules.cancel, None, data(money.cancelled("BD-1")), date(2016, 6, 1)
    )
    assert isinstance(error, Early)


# --- recoverable support -------------------------------------------------------------------

SCHEDULE = [("2017-06-30", 100_000_000), ("2018-06-30", 100_000_000), ("2019-06-30", 100_000_000)]


def test_a_repayment_on_support_that_is_not_recoverable_is_refused_not_recoverable():
    d = data(money.repayment("BD-1", 1_000_000, "2017-06-30"))
    refused("not_recoverable", rules.repay, contracted(), d)


def test_a_repayment_before_the_contract_is_early_unknown_commitment():
    d = data(money.repayment("LD-1", 1_000_000, "2017-06-30"))
    assert isinstance(refused("unknown_commitment", rules.repay, None, d), Early)


def test_repayments_past_the_schedule_are_refused_over_repayment():
    c = contracted("LD-1", 300_000_000, repayments=SCHEDULE)
    assert c.recoverable
    c = rules.repay(c, data(money.repayment("LD-1", 299_999_999, "2019-06-30"))).aggregate
    refused("over_repayment", rules.repay, c, data(money.repayment("LD-1", 2, "2019-07-01")))
    last = rules.repay(c, data(money.repayment("LD-1", 1, "2019-07-01")))
    assert last.aggregate.repaid_vnd == 300_000_000


def test_a_repayment_is_recorded_with_the_arrears_as_of_the_day_it_was_received():
    c = contracted("LD-1", 300_000_000, repayments=SCHEDULE)
    change = rules.repay(c, data(money.repayment("LD-1", 60_000_000, "2017-07-15")))
    assert change.event == "repayment_recorded"
    assert change.entries == [Entry(EntryKind.REPAYMENT, 60_000_000, date(2017, 7, 15))]
    assert change.data["repaid_total_vnd"] == 60_000_000
    assert change.data["arrears_vnd"] == 40_000_000  # 100 M due by 2017-06-30, 60 M received
    # a year later, after the second instalment fell due, paying 100 M leaves 40 M in arrears
    later = rules.repay(change.aggregate, data(money.repayment("LD-1", 100_000_000, "2018-07-01")))
    assert later.data["arrears_vnd"] == 40_000_000
    # paid ahead of the schedule: no arrears, never negative
    ahead = rules.repay(c, data(money.repayment("LD-1", 150_000_000, "2017-07-01")))
    assert ahead.data["arrears_vnd"] == 0


def test_repayments_are_still_received_after_settlement():
    c = paid(accepted(contracted("LD-1", 300_000_000, repayments=SCHEDULE)), 210_000_000)
    c = rules.settle(c, data(money.settled("LD-1", 210_000_000, 300_000_000))).aggregate
    assert c.stage == Stage.SETTLED
    change = rules.repay(c, data(money.repayment("LD-1", 100_000_000, "2017-06-30")))
    assert change.data["arrears_vnd"] == 0


# --- the schedule arithmetic: due, cumulative, overdue -------------------------------------

TRANCHES = [Line(date(2016, 4, 30), 105_000_000), Line(date(2016, 10, 31), 45_000_000)]


def test_what_is_due_by_a_day_includes_the_lines_due_on_that_day():
    assert due_by(TRANCHES, date(2016, 4, 29)) == 0
    assert due_by(TRANCHES, date(2016, 4, 30)) == 105_000_000
    assert due_by(TRANCHES, date(2016, 10, 31)) == 150_000_000
    assert cumulative(TRANCHES, 0) == 105_000_000
    assert cumulative(TRANCHES, 1) == 150_000_000


def test_a_tranche_is_overdue_once_its_day_has_passed_and_the_paid_total_is_below_what_was_due():
    assert overdue(TRANCHES, 0, date(2016, 4, 30)) == []  # due today: not late yet
    assert overdue(TRANCHES, 0, date(2016, 5, 1)) == [0]
    assert overdue(TRANCHES, 104_999_999, date(2016, 5, 1)) == [0]
    assert overdue(TRANCHES, 105_000_000, date(2016, 5, 1)) == []
    assert overdue(TRANCHES, 105_000_000, date(2016, 11, 1)) == [1]
    assert overdue(TRANCHES, 100_000_000, date(2016, 11, 1)) == [0, 1]
    assert overdue(TRANCHES, 150_000_000, date(2017, 1, 1)) == []


def test_the_overdue_indexes_are_positions_in_due_date_order():
    assert overdue(list(reversed(TRANCHES)), 105_000_000, date(2016, 11, 1)) == [1]


def test_an_instalment_exactly_grace_days_late_is_not_overdue_and_one_day_more_is():
    lines = [Line(date(2017, 6, 30), 100_000_000), Line(date(2018, 6, 30), 100_000_000)]
    assert overdue(lines, 0, date(2017, 7, 30), grace_days=30) == []  # 30 days late
    assert overdue(lines, 0, date(2017, 7, 31), grace_days=30) == [0]  # 31 days late
    assert overdue(lines, 100_000_000, date(2017, 7, 31), grace_days=30) == []
    assert overdue(lines, 99_999_999, date(2018, 7, 31), grace_days=30) == [0, 1]


# --- money stays int -----------------------------------------------------------------------


def test_every_amount_the_rules_produce_is_an_int():
    c = contracted("CN-1", 333_333_333, activity="industrial_cluster")
    # 30% of 333,333,333 is 99,999,999.9: the cap is floored to whole dong
    refused("over_advance_cap", rules.pay, c, data(money.payment("CN-1", 100_000_000)))
    changes = [rules.pay(c, data(money.payment("CN-1", 99_999_999)))]
    c = accepted(changes[-1].aggregate)  # type: ignore[arg-type]
    changes.append(rules.settle(c, data(money.settled("CN-1", 33_333_333, 333_333_333))))
    amounts: list[Any] = [e.amount_vnd for ch in changes for e in ch.entries]
    amounts += [  # settled_vnd is null before the settlement
        v for ch in changes for k, v in ch.data.items() if k.endswith("_vnd") and v is not None
    ]
    assert amounts and all(type(a) is int for a in amounts), amounts
    assert changes[-1].data["refund_due_vnd"] == 66_666_666


# --- the read formulas ---------------------------------------------------------------------


def test_the_disbursement_rate_is_disbursed_over_allocated_and_none_without_an_allocation():
    assert rate(0, 0) is None
    assert rate(650_000_000, 0) is None
    assert rate(650_000_000, 2_500_000_000) == 0.26
    assert rate(0, 2_500_000_000) == 0.0
    assert rate(1, 3) == 0.3333  # four decimals


def test_the_change_on_last_year_is_in_percent_with_two_decimals():
    # the 2016 report says "+1.83% on 64.3 billion" from rounded figures; the arithmetic on
    # the rounded figures themselves is 1.866...%, so 1.87
    assert change_percent(65_500_000_000, 64_300_000_000) == 1.87
    assert change_percent(28_600_000_000, 29_238_000_000) == -2.18
    assert change_percent(100, None) is None
    assert change_percent(100, 0) is None
