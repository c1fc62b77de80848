"""Sample lifecycle events as internal systems send them (contract.md section 1).

Used by the tests, the benchmarks and the demo's sample file.
"""

from __future__ import annotations

import uuid
from typing import Any

CENTRE = "urn:gso:74:khuyencong-center"
MINISTRY = "urn:moit:arida"


def event(
    type_: str,
    data: dict[str, Any],
    *,
    id: str | None = None,
    source: str = MINISTRY,
    time: str = "2016-03-01T08:00:00+07:00",
) -> dict[str, Any]:
    body = {
        "specversion": "1.0",
        "id": id or str(uuid.uuid4()),
        "source": source,
        "type": type_,
        "time": time,
        "datacontenttype": "application/json",
        "data": data,
    }
    if "proposal_id" in data:
        body["subject"] = data["proposal_id"]
    return body


def submitted(pid: str, **over: Any) -> dict[str, Any]:
    data = {
        "proposal_id": pid,
        "province": "74",
        "year": 2016,
        "source_fund": "national",
        "activity": "machinery",
        "title": "Máy chà nhám tự động cho HTX sơn mài",
        "requested_vnd": 150_000_000,
        "counterpart_vnd": 160_000_000,
        "planned_start": "2016-04-15",
        "planned_end": "2016-09-30",
        "targets": {"establishments": 1},
        "beneficiary": {"name": "HTX Tương Bình Hiệp"},
    }
    data.update(over)
    return event("proposal.submitted", data, source=CENTRE)


def appraised(pid: str, outcome: str = "pass", score: int = 82) -> dict[str, Any]:
    return event("proposal.appraised", {"proposal_id": pid, "score": score, "outcome": outcome})


def approved(pid: str, amount: int = 150_000_000) -> dict[str, Any]:
    return event(
        "proposal.approved",
        {
            "proposal_id": pid,
            "approved_vnd": amount,
            "approved_on": "2016-04-05",
            "decision_no": "3318/QĐ-BCT",
        },
    )


def contract_signed(pid: str, amount: int = 150_000_000) -> dict[str, Any]:
    first = amount * 70 // 100
    return event(
        "contract.signed",
        {
            "proposal_id": pid,
            "contract_no": f"HĐ-{pid}",
            "amount_vnd": amount,
            "signed_on": "2016-04-20",
            "recoverable": False,
            "tranches": [
                {"due_on": "2016-04-30", "amount_vnd": first},
                {"due_on": "2016-10-31", "amount_vnd": amount - first},
            ],
        },
    )


def progress(pid: str, percent: float = 40, as_of: str = "2016-06-20") -> dict[str, Any]:
    return event(
        "progress.reported",
        {
            "proposal_id": pid,
            "as_of": as_of,
            "percent_complete": percent,
            "outputs": {"machines": 1},
        },
        source=CENTRE,
    )


def accepted(pid: str) -> dict[str, Any]:
    return event(
        "proposal.accepted",
        {"proposal_id": pid, "accepted_on": "2016-09-30", "outputs": {"machines": 2}},
        source=CENTRE,
    )


def settled(pid: str, amount: int = 148_500_000) -> dict[str, Any]:
    return event(
        "proposal.settled", {"proposal_id": pid, "settled_vnd": amount, "settled_on": "2016-10-15"}
    )


def rejected(pid: str) -> dict[str, Any]:
    return event("proposal.rejected", {"proposal_id": pid, "reason": "Không đủ vốn đối ứng"})


def cancelled(pid: str) -> dict[str, Any]:
    return event("proposal.cancelled", {"proposal_id": pid, "reason": "Đơn vị rút đề án"})


def full_lifecycle(pid: str) -> list[dict[str, Any]]:
    """Submission to settlement: seven events, seven versions."""
    return [
        submitted(pid),
        appraised(pid),
        approved(pid),
        contract_signed(pid),
        progress(pid),
        accepted(pid),
        settled(pid),
    ]
