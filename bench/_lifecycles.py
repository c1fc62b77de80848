"""Full lifecycles for bench/e2e.py, in waves that never arrive before what they need.

Each proposal: submission, appraisal, approval, contract (proposals); the advance, a progress
report and acceptance; the final payment (disbursement); settlement. A wave is published only
once the one before has been applied everywhere, so no event waits in a retry queue and the
ledger does not depend on who raced whom (settlement after the final payment, always).
Nine lifecycle events per proposal, plus two plans (national, local) per province.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from grantflow.reference import advance_cap_percent
from grantflow_tools import samples

PROVINCES = ("74", "79", "80", "92", "68")
FUNDS = ("national", "local")
ACTIVITIES = ("machinery", "training")  # others have ceilings below these amounts
SIGNED_ON = "2016-04-20"
YEAR = 2016  # the plans' and proposals' year


@dataclass
class Wave:
    name: str
    events: list[dict[str, Any]] = field(default_factory=list)
    # rows each inbox gains once the wave is applied everywhere
    proposals: int = 0
    disbursement: int = 0
    reporting: int = 0


def _terms(i: int) -> tuple[str, str, str, int, int]:
    province, fund = PROVINCES[i % len(PROVINCES)], FUNDS[(i // len(PROVINCES)) % 2]
    activity = ACTIVITIES[i % len(ACTIVITIES)]
    amount = 50_000_000 + (i % 97) * 1_000_003
    advance = amount * advance_cap_percent(activity, date.fromisoformat(SIGNED_ON)) // 100
    return province, fund, activity, amount, advance


def _paid(pid: str, amount: int, kind: str, on: str) -> dict[str, Any]:
    data = {"proposal_id": pid, "amount_vnd": amount, "paid_on": on, "kind": kind}
    data["voucher_no"] = f"UNC-{pid}-{kind}"
    return samples.event("disbursement.made", data, source="urn:kbnn:payments")


def waves(proposals: int, prefix: str = "E2E") -> list[Wave]:
    """The run's four waves; event ids are stable (`prefix`, proposal, step)."""
    w1, w2, w3, w4 = Wave("contracts"), Wave("advances"), Wave("final payments"), Wave("settle")
    for province in PROVINCES:
        for fund in FUNDS:
            data = {"province": province, "year": YEAR, "source_fund": fund}
            data |= {"amount_vnd": 10**15, "decision_no": f"1/QĐ-UBND-{province}"}
            w1.events.append(samples.event("plan.approved", data))
    plans = len(w1.events)
    for i in range(proposals):
        pid = f"{prefix}-{i:07d}"
        province, fund, activity, amount, advance = _terms(i)
        submitted = samples.submitted(
            pid, province=province, source_fund=fund, activity=activity, requested_vnd=amount
        )
        contract = samples.contract_signed(pid, amount)
        contract["data"]["tranches"] = [
            {"due_on": "2016-04-30", "amount_vnd": advance},
            {"due_on": "2016-10-31", "amount_vnd": amount - advance},
        ]
        w1.events += [submitted, samples.appraised(pid), samples.approved(pid, amount), contract]
        w2.events += [
            _paid(pid, advance, "advance", "2016-04-28"),
            samples.progress(pid),
            samples.accepted(pid),
        ]
        w3.events.append(_paid(pid, amount - advance, "final", "2016-10-05"))
        w4.events.append(samples.settled(pid, amount))
    n = proposals
    # proposals' inbox: its lifecycle events; disbursement's: its own and the proposals' events
    # it takes; reporting's: every domain event of proposals and disbursement.
    w1.proposals, w1.disbursement, w1.reporting = 4 * n, plans + n, plans + 5 * n
    w2.proposals, w2.disbursement, w2.reporting = 2 * n, 2 * n, 3 * n
    w3.proposals, w3.disbursement, w3.reporting = 0, n, n
    w4.proposals, w4.disbursement, w4.reporting = n, n, 2 * n
    for w in (w1, w2, w3, w4):
        for step, e in enumerate(w.events):
            e["id"] = f"{prefix}:{w.name}:{step}"
    return [w1, w2, w3, w4]


def expected_ledger(proposals: int) -> dict[tuple[str, str], int]:
    """(province, kind) -> dong: what disbursement's ledger must hold after the run."""
    out: dict[tuple[str, str], int] = defaultdict(int)
    for i in range(proposals):
        province, _, _, amount, advance = _terms(i)
        out[(province, "commitment")] += amount
        out[(province, "advance")] += advance
        out[(province, "final")] += amount - advance
    return dict(out)
