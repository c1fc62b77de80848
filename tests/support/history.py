"""A correct history of many proposals, each one's events in a shuffled order, and the money
totals per province it implies.

Every proposal of 2019 is submitted, appraised, approved, contracted with two tranches and
advanced 70 %, reported on; then, by its number: settled below what was paid (a refund due),
settled with the balance paid after the settlement, settled with part still owed, recoverable
and repaid, or cancelled (in progress, or after its acceptance and final payment). The
Treasury's payments go straight to the disbursement service; the rest through the proposals
service: the two paths race, as in the issue (final payment on 10/11, settlement on 20/11).

The shuffle is of every event of a proposal (`every_event`), across the paths and within
each: its submission may come last, its contract after its cancellation, its payments
anywhere; or of its payments and repayments only, among its proposal events in their
sender's order. Each plan has its approval and one or two adjustments, shuffled too (the
later-dated adjustment is the plan in force whatever order they come in). The blocks (a
proposal's events, a plan's) are then interleaved a few dozen at a time, so that a proposal's
events stay within seconds of each other in the stream (the retry window) while others' come
between them.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from grantflow_tools.scenario.events import CENTRE, MINISTRY, TREASURY, cloud_event

YEAR = 2019
PROVINCES = ("74", "75", "77", "79", "80", "82", "83", "86", "87", "89")
KINDS = ("refund", "refund", "refund", "balance_after", "balance_after", "owed", "recoverable")
KINDS += ("cancelled", "interim_refund", "exact")
SETTLED_ON, ACCEPTED_ON, CANCELLED_ON = "2019-11-20", "2019-10-30", "2019-07-01"
LATE_CANCELLED_ON = "2019-11-05"


@dataclass
class Totals:
    committed: int = 0
    disbursed: int = 0
    refunded: int = 0
    owed: int = 0
    allocated: int = 0


@dataclass
class History:
    blocks: list[list[dict[str, Any]]]  # each proposal's events, shuffled; each plan's too
    seed: int = 12
    totals: dict[str, Totals] = field(default_factory=lambda: defaultdict(Totals))
    final_payments: int = 0

    def events(self, spread: int = 25) -> list[dict[str, Any]]:
        """Every block's events, blocks interleaved `spread` at a time in a random merge
        (each block keeps its own shuffled order)."""
        rng = random.Random(self.seed)
        blocks = list(self.blocks)
        rng.shuffle(blocks)
        out: list[dict[str, Any]] = []
        for start in range(0, len(blocks), spread):
            group = [list(b) for b in blocks[start : start + spread]]
            turns = [i for i, b in enumerate(group) for _ in b]
            rng.shuffle(turns)
            out += [group[i].pop(0) for i in turns]
        return out


def _event(kind: str, source: str, on: str, data: dict[str, Any], n: list[int]) -> dict:
    return cloud_event(kind, source, date.fromisoformat(on), data, n, run="money")


def history(proposals: int, seed: int = 12, every_event: bool = False) -> History:
    """`every_event`: each proposal's events in any order; else its proposal events keep
    their sender's order (for a test of that order, tests/e2e/test_replicas.py) and only its
    payments and repayments are shuffled in among them."""
    rng, n = random.Random(seed), [0]
    h = History([], seed)
    for i in range(proposals):
        h.blocks.append(_proposal(i, rng, n, h, every_event))
    for k, code in enumerate(PROVINCES):
        for fund in ("national", "local"):
            h.blocks.append(_plan(code, fund, k % 2 == 0, rng, n, h))
    return h


def _plan(
    code: str, fund: str, twice: bool, rng: random.Random, n: list[int], h: History
) -> list[dict[str, Any]]:
    """A plan's approval and its adjustments, shuffled: an adjustment may come before its
    approval (retried until it is there), the later-dated one before the earlier."""
    first = 50_000_000_000 + int(code) * 1_000_000
    scope = {"province": code, "year": YEAR, "source_fund": fund}
    plan = [_event("plan.approved", MINISTRY, "2019-01-15", scope | {"amount_vnd": first}, n)]
    amounts = [("2019-07-15", first + 7_000_000_000)]
    if twice:  # the second adjustment takes part of the first back
        amounts.append(("2019-09-15", first + 3_000_000_000))
    for on, amount in amounts:
        plan.append(_event("plan.adjusted", MINISTRY, on, scope | {"amount_vnd": amount}, n))
    h.totals[code].allocated += amounts[-1][1]
    rng.shuffle(plan)
    return plan


def _proposal(
    i: int, rng: random.Random, n: list[int], h: History, every_event: bool
) -> list[dict[str, Any]]:
    code, kind = PROVINCES[(i + i // 10) % len(PROVINCES)], KINDS[i % 10]
    fund = ("national", "local")[(i // 10) % 2]
    pid, contract = f"KC{code}-{YEAR}-{i:05d}", 100_000_000 + (i % 97) * 1_000_000
    advance, rest = contract * 70 // 100, contract - contract * 70 // 100
    ministry = [
        _submitted(pid, code, fund, contract, n),
        _event(
            "proposal.appraised",
            MINISTRY,
            "2019-02-01",
            {"proposal_id": pid, "score": 80, "outcome": "pass"},
            n,
        ),
        _event(
            "proposal.approved",
            MINISTRY,
            "2019-02-20",
            {"proposal_id": pid, "approved_vnd": contract, "approved_on": "2019-02-20"},
            n,
        ),
        _contract(pid, contract, advance, kind == "recoverable", n),
    ]
    ministry += [_progress(pid, code, f"2019-0{m}-20", 20 * (m - 4), n) for m in (5, 6)]
    treasury = [_paid(pid, advance, "advance", "2019-03-10", n)]
    paid, settled = advance, None
    accepted = _event(
        "proposal.accepted",
        CENTRE.format(code),
        ACCEPTED_ON,
        {"proposal_id": pid, "accepted_on": ACCEPTED_ON},
        n,
    )
    if kind == "cancelled":
        on, late = CANCELLED_ON, (i // 20) % 2 == 1
        if late:  # accepted, the balance paid, then cancelled (the unit is dissolved)
            on = LATE_CANCELLED_ON
            ministry.append(accepted)
            treasury.append(_paid(pid, rest, "final", "2019-11-01", n))
            paid += rest
        reason = {"proposal_id": pid, "reason": "Đơn vị rút đề án"}
        ministry.append(_event("proposal.cancelled", MINISTRY, on, reason, n))
    else:
        ministry.append(accepted)
        if kind in ("refund", "exact", "recoverable"):
            treasury.append(_paid(pid, rest, "final", "2019-11-10", n))
            paid += rest
        elif kind == "interim_refund":
            treasury.append(_paid(pid, rest // 2, "payment", "2019-11-05", n))
            treasury.append(_paid(pid, rest - rest // 2, "final", "2019-11-10", n))
            paid += rest
        elif kind == "owed":
            treasury.append(_paid(pid, rest // 2, "payment", "2019-11-10", n))
            paid += rest // 2
        below = {"refund": (i % 7 + 1) * 100_000, "interim_refund": 2_000_000}.get(kind, 0)
        settled = contract - below - (1_000_000 if kind == "balance_after" else 0)
        if kind == "balance_after":  # the Treasury books the balance after the liquidation
            treasury.append(_paid(pid, settled - advance, "final", "2019-11-25", n))
            paid = settled
        if kind == "recoverable":
            for amount, on in ((contract // 4, "2019-12-15"), (contract // 4, "2020-07-01")):
                treasury.append(
                    _event(
                        "repayment.received",
                        TREASURY,
                        on,
                        {"proposal_id": pid, "amount_vnd": amount, "received_on": on},
                        n,
                    )
                )
        ministry.append(
            _event(
                "proposal.settled",
                MINISTRY,
                SETTLED_ON,
                {"proposal_id": pid, "settled_vnd": settled, "settled_on": SETTLED_ON},
                n,
            )
        )
    h.final_payments += sum(e["data"].get("kind") == "final" for e in treasury)
    t = h.totals[code]
    t.disbursed += paid
    t.committed += paid if settled is None else settled
    t.refunded += max(0, paid - settled) if settled is not None else 0
    t.owed += max(0, settled - paid) if settled is not None else 0
    block = ministry + treasury
    rng.shuffle(block)  # every event of the proposal, in any order
    if every_event:
        return block
    slots = iter(ministry)  # the proposal events back in their sender's order
    return [next(slots) if e in ministry else e for e in block]


def _submitted(pid: str, code: str, fund: str, amount: int, n: list[int]) -> dict:
    data = {
        "proposal_id": pid,
        "province": code,
        "year": YEAR,
        "source_fund": fund,
        "activity": "machinery",
        "title": f"Đề án khuyến công máy móc {pid}",
        "requested_vnd": amount,
        "counterpart_vnd": amount,  # the firm's own half: within the 50 % national ceiling
        "planned_start": "2019-03-01",
        "planned_end": "2019-10-31",
        "targets": {"machines": 1},
        "beneficiary": {"name": f"Cơ sở CNNT {pid}", "kind": "household"},
    }
    return _event("proposal.submitted", CENTRE.format(code), "2019-01-10", data, n)


def _contract(pid: str, amount: int, advance: int, recoverable: bool, n: list[int]) -> dict:
    data: dict[str, Any] = {
        "proposal_id": pid,
        "contract_no": f"{pid}/HĐ-KC",
        "amount_vnd": amount,
        "signed_on": "2019-03-01",
        "recoverable": recoverable,
        "tranches": [
            {"due_on": "2019-03-11", "amount_vnd": advance},
            {"due_on": "2019-12-31", "amount_vnd": amount - advance},
        ],
    }
    if recoverable:
        half = amount // 2
        data["repayments"] = [
            {"due_on": "2020-06-30", "amount_vnd": half},
            {"due_on": "2021-06-30", "amount_vnd": amount - half},
        ]
    return _event("contract.signed", MINISTRY, "2019-03-01", data, n)


def _progress(pid: str, code: str, on: str, percent: int, n: list[int]) -> dict:
    data = {"proposal_id": pid, "as_of": on, "percent_complete": percent, "outputs": {}}
    return _event("progress.reported", CENTRE.format(code), on, data, n)


def _paid(pid: str, amount: int, kind: str, on: str, n: list[int]) -> dict:
    data = {
        "proposal_id": pid,
        "amount_vnd": amount,
        "paid_on": on,
        "kind": kind,
        "voucher_no": f"UNC-{pid}-{n[0] + 1}",
    }
    return _event("disbursement.made", TREASURY, on, data, n)
