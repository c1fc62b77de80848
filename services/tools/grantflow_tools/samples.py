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


def full_lifecycle(pid: str, province: str = "74") -> list[dict[str, Any]]:
    """Submission to settlement: seven events, seven versions."""
    return [
        submitted(pid, province=province),
        appraised(pid),
        approved(pid),
        contract_signed(pid),
        progress(pid),
        accepted(pid),
        settled(pid),
    ]


SAMPLE_PROVINCES = {"74": "BD", "79": "HCM", "80": "LA", "92": "CT", "68": "LD"}


def sample_file_events() -> list[dict[str, Any]]:
    """A small, fixed set for `make demo`: in each of five southern provinces one proposal
    settled, one contracted whose progress report comes before its contract (applied once the
    contract arrives), one still in appraisal; and one malformed event (dead-lettered)."""
    out: list[dict[str, Any]] = []
    for code, prefix in SAMPLE_PROVINCES.items():
        done, signed, waiting = (f"{prefix}-2016-{n:03d}" for n in (1, 2, 3))
        out += full_lifecycle(done, province=code)
        out += [
            submitted(signed, province=code),
            appraised(signed),
            approved(signed),
            progress(signed, percent=30),
            contract_signed(signed),
        ]
        out += [submitted(waiting, province=code), appraised(waiting)]
    out.append(submitted("BAD-1", province="99"))
    # Stable ids, so publishing the file twice shows de-duplication.
    return [{**e, "id": f"{e['type']}:{e['data']['proposal_id']}"} for e in out]


def main() -> None:
    """`python -m grantflow_tools.samples` writes the demo's sample file as JSON lines to stdout."""
    import json
    import sys

    for e in sample_file_events():
        sys.stdout.write(json.dumps(e, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
