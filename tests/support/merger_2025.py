"""A generated 2025 history of the 20 southern provinces of the 2016 conference, crossing the
merger of 01/07/2025, as internal systems would publish it (lifecycle events).

Each old province (its 2016 code, index i in the grouping) has a national plan for 2025
approved on 15/01 (1,000 M + 50 M x i) and:
  - `M<code>-1`, filed in February, contracted in March (300 M: 150 M advanced in March, 60 M
    paid on 15/09, after the merger), with a progress report on the 20th of each month;
  - `M<code>-2`, filed on 05/08, after the merger, *under the old code* (200 M, 100 M advanced
    on 01/09), which the services map to the unit the province became;
  - for odd i, `M<code>-3`, approved on 02/05 and never contracted (it lags).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from grantflow.reference import region_members
from grantflow_tools.samples import MINISTRY, event
from tests.support.money import plan

TREASURY = "urn:kbnn:payments"
CENTRE = "urn:gso:{}:khuyencong-center"  # the province centre that files the proposal
M = 1_000_000


def old_codes() -> list[str]:
    return region_members("south_2016", date(2025, 6, 30))


def plans() -> dict[str, int]:
    return {code: 1_000 * M + 50 * M * i for i, code in enumerate(old_codes())}


def _at(day: str) -> str:
    return f"{day}T09:00:00+07:00"


def _proposal(pid: str, code: str, filed: str, start: str, end: str, amount: int) -> list[dict]:
    submitted = {
        "proposal_id": pid,
        "province": code,
        "year": 2025,
        "source_fund": "national",
        "activity": "training",
        "title": f"Đào tạo nghề {pid}",
        "requested_vnd": amount,
        "counterpart_vnd": amount,
        "planned_start": start,
        "planned_end": end,
        "targets": {"trainees": 20},
        "beneficiary": {"name": f"Cơ sở {pid}", "kind": "household"},
    }
    return [
        event("proposal.submitted", submitted, source=CENTRE.format(code), time=_at(filed)),
        event(
            "proposal.appraised",
            {"proposal_id": pid, "score": 80, "outcome": "pass"},
            time=_at(filed),
        ),
    ]


def _approved(pid: str, on: str, amount: int) -> dict[str, Any]:
    data = {"proposal_id": pid, "approved_vnd": amount, "approved_on": on, "decision_no": "1/QĐ"}
    return event("proposal.approved", data, source=MINISTRY, time=_at(on))


def _contract(pid: str, on: str, amount: int, tranches: list[tuple[str, int]]) -> dict:
    data = {
        "proposal_id": pid,
        "contract_no": f"HĐ-{pid}",
        "amount_vnd": amount,
        "signed_on": on,
        "tranches": [{"due_on": d, "amount_vnd": a} for d, a in tranches],
    }
    return event("contract.signed", data, source=MINISTRY, time=_at(on))


def _paid(pid: str, on: str, amount: int, kind: str) -> dict[str, Any]:
    data = {
        "proposal_id": pid,
        "amount_vnd": amount,
        "paid_on": on,
        "kind": kind,
        "voucher_no": f"UNC-{pid}-{on}",
    }
    return event("disbursement.made", data, source=TREASURY, time=_at(on))


def _progress(pid: str, on: str, percent: int) -> dict[str, Any]:
    data = {"proposal_id": pid, "as_of": on, "percent_complete": percent, "outputs": {}}
    return event("progress.reported", data, source=CENTRE.format(pid[1:3]), time=_at(on))


def history() -> tuple[list[dict], list[dict]]:
    """(plans, the proposals' events in the order they happened)."""
    plan_events = [plan(code, 2025, "national", amount) for code, amount in plans().items()]
    events: list[dict] = []
    for i, code in enumerate(old_codes()):
        first = f"M{code}-1"
        events += _proposal(first, code, "2025-02-10", "2025-03-01", "2025-10-31", 300 * M)
        events.append(_approved(first, "2025-03-05", 300 * M))
        events.append(
            _contract(
                first, "2025-03-20", 300 * M, [("2025-03-30", 150 * M), ("2025-10-31", 150 * M)]
            )
        )
        events.append(_paid(first, "2025-03-28", 150 * M, "advance"))
        for month, percent in zip(range(4, 10), (15, 30, 45, 60, 75, 85), strict=True):
            events.append(_progress(first, f"2025-{month:02d}-20", percent))
        events.append(_paid(first, "2025-09-15", 60 * M, "payment"))  # to the 70% cap
        second = f"M{code}-2"  # filed after the merger under the old code
        events += _proposal(second, code, "2025-08-05", "2025-08-20", "2025-12-31", 200 * M)
        events.append(_approved(second, "2025-08-20", 200 * M))
        events.append(
            _contract(
                second, "2025-08-25", 200 * M, [("2025-09-05", 100 * M), ("2025-12-15", 100 * M)]
            )
        )
        events.append(_paid(second, "2025-09-01", 100 * M, "advance"))
        events.append(_progress(second, "2025-09-20", 30))
        if i % 2:
            third = f"M{code}-3"
            events += _proposal(third, code, "2025-04-01", "2025-06-01", "2025-11-30", 100 * M)
            events.append(_approved(third, "2025-05-02", 100 * M))
    return plan_events, sorted(events, key=lambda e: e["time"])


def lagging_old_codes() -> set[str]:
    return {code for i, code in enumerate(old_codes()) if i % 2}
