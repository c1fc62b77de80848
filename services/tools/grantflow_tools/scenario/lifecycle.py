"""One proposal's events, from submission as far as its stage has gone by 30/06/2016.

Dates and numbers come from the scenario's seeded random source, drawn in a fixed order: the
scenario is the same on every run only while that order stays the same.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from grantflow.reference import advance_cap_percent
from grantflow_tools.scenario.events import CENTRE, MINISTRY, TREASURY, cloud_event
from grantflow_tools.scenario.proposals import Proposal
from grantflow_tools.scenario.registry import beneficiary_id


def lifecycle_events(p: Proposal, rng: random.Random, seq: list[int]) -> list[dict]:
    """Submitted and appraised; then, by stage, approved, contracted, advanced, reported on
    and accepted."""
    submitted = date(2016, 1, 10) + timedelta(days=rng.randint(0, 40))
    start = date(2016, 4, 1) + timedelta(days=rng.randint(0, 20))
    end = date(2016, 11, 30) - timedelta(days=rng.randint(0, 30))
    events = [_submitted(p, submitted, start, end, seq)]
    appraised = submitted + timedelta(days=rng.randint(15, 30))
    events.append(_appraised(p, appraised, rng, seq))
    if p.stage == "appraisal":
        return events
    on_time = appraised + timedelta(days=rng.randint(10, 25))
    approved = _late(p, "approved_only", on_time, date(2016, 4, 1), 40, rng)
    events.append(_approved(p, approved, rng, seq))
    if p.stage == "approved_only":
        return events
    on_time = approved + timedelta(days=rng.randint(5, 20))
    signed = _late(p, "contracted_late", on_time, date(2016, 6, 1), 10, rng)
    advance = p.requested * advance_cap_percent(p.activity, signed) // 100
    contract = _contract(p, signed, end, advance)
    events.append(cloud_event("contract.signed", MINISTRY, signed, contract, seq))
    events.append(_advance_paid(p, signed, advance, rng, seq))
    reports = _progress_reports(p, signed, start, end, seq)
    events += reports
    if p.stage == "settled_by_june" and reports:
        events.append(_accepted(p, seq))
    return events


def _late(
    p: Proposal, stage: str, on_time: date, late_from: date, spread: int, rng: random.Random
) -> date:
    """`on_time`, unless the proposal is of the late `stage`: then up to `spread` days from
    `late_from` (drawn after `on_time`'s day, as the scenario always has)."""
    return late_from + timedelta(days=rng.randint(0, spread)) if p.stage == stage else on_time


def _submitted(p: Proposal, on: date, start: date, end: date, seq: list[int]) -> dict:
    data = {
        "proposal_id": p.pid,
        "province": p.province,
        "year": 2016,
        "source_fund": p.fund,
        "activity": p.activity,
        "title": f"Đề án khuyến công {p.activity} {p.pid}",
        "requested_vnd": p.requested,
        "planned_start": start.isoformat(),
        "planned_end": end.isoformat(),
        "counterpart_vnd": p.counterpart,
        "targets": p.targets,
        "beneficiary": {"name": f"Cơ sở CNNT {p.pid}", "kind": "household"},
        "beneficiary_ids": [beneficiary_id(p)],
    }
    return cloud_event("proposal.submitted", CENTRE.format(p.province), on, data, seq)


def _appraised(p: Proposal, on: date, rng: random.Random, seq: list[int]) -> dict:
    data = {"proposal_id": p.pid, "score": rng.randint(70, 95), "outcome": "pass"}
    return cloud_event("proposal.appraised", MINISTRY, on, data, seq)


def _approved(p: Proposal, on: date, rng: random.Random, seq: list[int]) -> dict:
    data = {
        "proposal_id": p.pid,
        "approved_vnd": p.requested,
        "approved_on": on.isoformat(),
        "decision_no": f"{rng.randint(1000, 9999)}/QĐ-BCT",
    }
    return cloud_event("proposal.approved", MINISTRY, on, data, seq)


def _contract(p: Proposal, signed: date, end: date, advance: int) -> dict[str, Any]:
    """Two tranches (the advance, then the rest at the end); one local machinery contract in
    Lâm Đồng (68) is recoverable, repaid in three yearly instalments."""
    recoverable = p.province == "68" and p.fund == "local" and p.activity == "machinery"
    contract: dict[str, Any] = {
        "proposal_id": p.pid,
        "contract_no": f"{p.pid}/HĐ-KC",
        "amount_vnd": p.requested,
        "signed_on": signed.isoformat(),
        "recoverable": recoverable,
        "tranches": [
            {"due_on": (signed + timedelta(days=10)).isoformat(), "amount_vnd": advance},
            {"due_on": end.isoformat(), "amount_vnd": p.requested - advance},
        ],
    }
    if recoverable:
        third = p.requested // 3
        contract["repayments"] = [
            {"due_on": f"{y}-06-30", "amount_vnd": a}
            for y, a in zip(
                (2017, 2018, 2019), (third, third, p.requested - 2 * third), strict=True
            )
        ]
    return contract


def _advance_paid(
    p: Proposal, signed: date, advance: int, rng: random.Random, seq: list[int]
) -> dict:
    paid_on = signed + timedelta(days=rng.randint(3, 9))
    data = {
        "proposal_id": p.pid,
        "amount_vnd": advance,
        "paid_on": paid_on.isoformat(),
        "kind": "advance",
        "voucher_no": f"UNC-{seq[0]:06d}",
    }
    return cloud_event("disbursement.made", TREASURY, paid_on, data, seq)


def _progress_reports(
    p: Proposal, signed: date, start: date, end: date, seq: list[int]
) -> list[dict]:
    """One report on the 20th of each month after signing, up to June; the last one carries
    the outputs achieved."""
    days = [date(2016, m, 20) for m in range(signed.month, 7) if date(2016, m, 20) > signed]
    events = []
    for n, when in enumerate(days, 1):
        share = min(100, max(5, int(100 * (when - start).days / max(1, (end - start).days)) + 5))
        data = {
            "proposal_id": p.pid,
            "as_of": when.isoformat(),
            "percent_complete": share,
            "outputs": p.achieved if n == len(days) else {},
        }
        events.append(cloud_event("progress.reported", CENTRE.format(p.province), when, data, seq))
    return events


def _accepted(p: Proposal, seq: list[int]) -> dict:
    accepted = date(2016, 6, 24)
    data = {"proposal_id": p.pid, "accepted_on": accepted.isoformat(), "outputs": p.achieved}
    return cloud_event("proposal.accepted", CENTRE.format(p.province), accepted, data, seq)
