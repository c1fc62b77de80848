"""Payments out (giải ngân), in whatever order they meet acceptance, settlement and cancellation.

The Treasury's payment orders reach this service straight from the lifecycle exchange; the
acceptance, settlement and cancellation come through the proposals service. Either may arrive
first, so each rule here decides by the dates the events carry, never by their arrival:

- before acceptance everything paid is an advance in substance, held to the advance cap; a
  `payment` or `final` that needs the acceptance waits for it (`Early`, `not_accepted`), also
  on a cancelled contract, whose acceptance may arrive after the cancellation as history;
- a settlement states what the contract finally cost: a payment dated on or before it was
  money already out (held to the contract, the refund due grows); one dated after it pays
  the balance still owed, up to the settled amount and no further (`over_settlement`);
- a cancellation stops payments dated after it (`paid_after_cancellation`); one dated on or
  before it was money already out: recorded, and what it used is committed again.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from disbursement.domain.model import Commitment, Entry, EntryKind, Stage
from grantflow.domain import Early, Refused, day, to_change
from grantflow.reference import advance_cap_percent


def pay(
    existing: Commitment | None, d: dict[str, Any]
) -> tuple[Commitment, dict[str, Any], list[Entry]]:
    """The commitment after the payment, the `disbursement_recorded` data and ledger lines."""
    pid, amount, kind, voucher = d["proposal_id"], d["amount_vnd"], d["kind"], d["voucher_no"]
    paid_on = day(d["paid_on"])
    if existing is None:
        raise Early("unknown_commitment", f"no contract of proposal {pid} has been recorded yet")
    if _awaits_acceptance(existing) and kind == "final":
        raise Early("not_accepted", f"a final payment of {pid} waits for its acceptance")
    c = to_change(existing)
    if voucher in c.vouchers:
        raise Refused("voucher_used", f"voucher {voucher} was already paid on proposal {pid}")
    _within_settlement(c, amount, paid_on)
    _within_cancellation(c, paid_on)
    if c.paid_vnd + amount > c.contract_vnd:
        raise Refused(
            "over_contract",
            f"{amount} ₫ would bring {pid}'s payments to "
            f"{c.paid_vnd + amount} ₫, over the contract's {c.contract_vnd} ₫",
        )
    _within_advance_cap(c, amount, kind, paid_on)
    refund_before, owed_before = c.refund_due_vnd, c.owed_vnd
    if kind == "advance":
        c.advances_vnd += amount
    else:
        c.payments_vnd += amount
    c.vouchers.append(voucher)
    entries = [Entry(EntryKind(kind), amount, paid_on, voucher)]
    if c.settled_on is not None:
        # Dated on or before the settlement, it counts as of the settlement; after it, as paid.
        when = max(paid_on, c.settled_on)
        if owed_before > c.owed_vnd:
            entries.append(Entry(EntryKind.PAYABLE_PAID, owed_before - c.owed_vnd, when))
        if c.refund_due_vnd > refund_before:
            entries.append(Entry(EntryKind.REFUND_DUE, c.refund_due_vnd - refund_before, when))
    if c.cancelled_on is not None:
        # The cancellation released what was not paid then; this payment had used part of it.
        entries.append(Entry(EntryKind.COMMITMENT, amount, c.cancelled_on))
    data = {
        **c.keys(),
        "activity": c.activity,
        "amount_vnd": amount,
        "paid_on": d["paid_on"],
        "kind": kind,
        "voucher_no": voucher,
        "paid_total_vnd": c.paid_vnd,
        "advances_total_vnd": c.advances_vnd,
        "contract_vnd": c.contract_vnd,
        "settled_vnd": c.settled_vnd,
        "settled_on": c.settled_on.isoformat() if c.settled_on else None,
        "refund_due_vnd": c.refund_due_vnd,
        "owed_vnd": c.owed_vnd,
    }
    return c, data, entries


def _awaits_acceptance(c: Commitment) -> bool:
    """Not accepted yet, and an acceptance may still come: the contract is open, or it was
    cancelled and its acceptance, dated before the cancellation, may still be on its way."""
    return c.accepted_on is None and c.stage in (Stage.CONTRACTED, Stage.CANCELLED)


def _within_settlement(c: Commitment, amount: int, paid_on: date) -> None:
    """After the settlement's date only the balance still owed may be paid."""
    if c.settled_vnd is None or c.settled_on is None or paid_on <= c.settled_on:
        return
    if c.paid_vnd + amount > c.settled_vnd:
        raise Refused(
            "over_settlement",
            f"{c.proposal_id} was settled at {c.settled_vnd} ₫ on {c.settled_on} and "
            f"{c.paid_vnd} ₫ is paid: a payment of {amount} ₫ on {paid_on} is over what is "
            f"still owed ({c.owed_vnd} ₫); reverse it or correct the settlement",
        )


def _within_cancellation(c: Commitment, paid_on: date) -> None:
    if c.cancelled_on is not None and paid_on > c.cancelled_on:
        raise Refused(
            "paid_after_cancellation",
            f"{c.proposal_id} was cancelled on {c.cancelled_on}: nothing may be paid on it "
            f"after that (this payment is dated {paid_on}); reverse the payment order",
        )


def _within_advance_cap(c: Commitment, amount: int, kind: str, paid_on: date) -> None:
    """Advances are held to the cap; so, before acceptance, is everything paid.

    An advance counts the advances only: an interim payment recorded before an advance it
    follows (its acceptance still on the way) must not make the advance look over the cap.
    """
    if kind != "advance" and c.accepted_on is not None:
        return
    cap_percent = advance_cap_percent(c.activity, paid_on)
    cap = c.contract_vnd * cap_percent // 100
    before = c.advances_vnd if kind == "advance" else c.paid_vnd
    if before + amount <= cap:
        return
    if kind != "advance" and _awaits_acceptance(c):
        raise Early(
            "not_accepted",
            f"a {kind} of {c.proposal_id} beyond the advance cap waits for its acceptance",
        )
    raise Refused(
        "over_advance_cap",
        f"{c.proposal_id} would have {before + amount} ₫ paid ahead "
        f"of acceptance, over {cap_percent}% of the contract ({cap} ₫) for "
        f"{c.activity} on {paid_on}",
    )
