"""Events the disbursement service consumes: lifecycle events from the treasury and the
provinces, and the proposals service's domain events (as that service would announce them)."""

from __future__ import annotations

import uuid
from typing import Any

from grantflow_tools.samples import event

TREASURY = "urn:kbnn:payments"
PROPOSALS = "grantflow/proposals"


def plan(
    province: str,
    year: int,
    fund: str,
    amount: int,
    adjusted: bool = False,
    time: str | None = None,
) -> dict[str, Any]:
    kind = "plan.adjusted" if adjusted else "plan.approved"
    return event(
        kind,
        {
            "province": province,
            "year": year,
            "source_fund": fund,
            "amount_vnd": amount,
            "decision_no": f"QĐ-{province}-{year}",
        },
        source=f"urn:gso:{province}:khuyencong-center",
        time=time or f"{year}-01-15T08:00:00+07:00",
    )


def payment(
    pid: str,
    amount: int,
    kind: str = "advance",
    voucher: str | None = None,
    paid_on: str = "2016-05-10",
) -> dict[str, Any]:
    return event(
        "disbursement.made",
        {
            "proposal_id": pid,
            "amount_vnd": amount,
            "paid_on": paid_on,
            "kind": kind,
            "voucher_no": voucher or f"UNC-{uuid.uuid4().hex[:8]}",
        },
        source=TREASURY,
        time=f"{paid_on}T10:00:00+07:00",
    )


def repayment(pid: str, amount: int, received_on: str) -> dict[str, Any]:
    return event(
        "repayment.received",
        {"proposal_id": pid, "amount_vnd": amount, "received_on": received_on},
        source=TREASURY,
        time=f"{received_on}T10:00:00+07:00",
    )


def _announced(
    type_: str, pid: str, version: int, data: dict[str, Any], scope: dict[str, Any]
) -> dict[str, Any]:
    body = event(type_, {"proposal_id": pid, **scope, **data}, source=PROPOSALS)
    body.update(subject=pid, version=version, schemaversion=1)
    return body


def scope(
    province: str = "74", year: int = 2016, fund: str = "national", activity: str = "machinery"
) -> dict[str, Any]:
    return {"province": province, "year": year, "source_fund": fund, "activity": activity}


def contract_signed(
    pid: str,
    amount: int,
    tranches: list[tuple[str, int]] | None = None,
    repayments: list[tuple[str, int]] | None = None,
    where: dict[str, Any] | None = None,
) -> dict[str, Any]:
    tranches = tranches or [
        ("2016-04-30", amount * 7 // 10),
        ("2016-10-31", amount - amount * 7 // 10),
    ]
    data = {
        "state": "contracted",
        "previous_state": "approved",
        "contract_no": f"HĐ-{pid}",
        "amount_vnd": amount,
        "signed_on": "2016-04-20",
        "tranches": [{"due_on": d, "amount_vnd": a} for d, a in tranches],
        "recoverable": bool(repayments),
        "repayments": [{"due_on": d, "amount_vnd": a} for d, a in repayments or []],
    }
    return _announced("contract_signed", pid, 4, data, where or scope())


def accepted(pid: str, where: dict[str, Any] | None = None) -> dict[str, Any]:
    data = {
        "state": "accepted",
        "previous_state": "in_progress",
        "accepted_on": "2016-09-30",
        "outputs": {},
    }
    return _announced("proposal_accepted", pid, 6, data, where or scope())


def settled(
    pid: str, amount: int, contract: int, where: dict[str, Any] | None = None
) -> dict[str, Any]:
    data = {
        "state": "settled",
        "previous_state": "accepted",
        "settled_vnd": amount,
        "settled_on": "2016-10-15",
        "contract_vnd": contract,
    }
    return _announced("proposal_settled", pid, 7, data, where or scope())


def cancelled(pid: str, where: dict[str, Any] | None = None) -> dict[str, Any]:
    data = {"state": "cancelled", "previous_state": "contracted", "reason": "Đơn vị rút đề án"}
    return _announced("proposal_cancelled", pid, 5, data, where or scope())
