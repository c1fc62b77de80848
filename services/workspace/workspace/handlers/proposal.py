"""A proposal: its timeline, tranches with status, the ledger and outputs against targets."""

from __future__ import annotations

from typing import Any

from eventlet.greenpool import GreenPool

from workspace.adapters.services import ServiceApis
from workspace.adapters.session import Session
from workspace.domain.export import Column, Table
from workspace.errors import NotFound

TIMELINE_COLUMNS = [
    Column("version", "Phiên bản", "Version", "int"),
    Column("occurred_at", "Thời điểm", "When", "moment"),
    Column("type", "Sự kiện", "Event"),
    Column("source", "Nguồn", "Who"),
    Column("state_before", "Trạng thái trước", "State before"),
    Column("state_after", "Trạng thái sau", "State after"),
]
TRANCHE_COLUMNS = [
    Column("due_on", "Hạn", "Due", "date"),
    Column("amount_vnd", "Số tiền (đồng)", "Amount (VND)", "vnd"),
    Column("due_total_vnd", "Lũy kế đến hạn (đồng)", "Due to date (VND)", "vnd"),
    Column("status", "Tình trạng", "Status"),
]
LEDGER_COLUMNS = [
    Column("on", "Ngày", "Date", "date"),
    Column("kind", "Loại", "Kind"),
    Column("amount_vnd", "Số tiền (đồng)", "Amount (VND)", "vnd"),
    Column("voucher_no", "Chứng từ", "Voucher"),
]
OUTPUT_COLUMNS = [
    Column("measure", "Chỉ tiêu", "Measure"),
    Column("target", "Mục tiêu", "Target", "int"),
    Column("achieved", "Đạt được", "Achieved", "int"),
    Column("share", "Tỷ lệ đạt", "Share", "rate"),
]


def proposal_page(apis: ServiceApis, session: Session, proposal_id: str) -> dict[str, Any]:
    """A proposal outside the visitor's provinces answers 403 at the proposals service, which
    the workspace shows as not found: it does not say whether the id exists."""
    pool = GreenPool(2)
    ledger = pool.spawn(_ledger, apis, session.token, proposal_id)
    detail = apis.get("proposals", f"/api/v1/proposals/{proposal_id}", session.token)
    try:
        book = ledger.wait()
    except NotFound:
        book = None
    tranches = (book or {}).get("tranches") or [
        t | {"due_total_vnd": None, "status": None} for t in detail.get("tranches") or []
    ]
    targets = detail.get("targets") or {}
    outputs = detail.get("outputs") or {}
    measures = sorted(set(targets) | set(outputs))
    output_rows = [
        {
            "measure": m,
            "target": targets.get(m),
            "achieved": outputs.get(m, 0),
            "share": (outputs.get(m, 0) / targets[m]) if targets.get(m) else None,
        }
        for m in measures
    ]
    return {
        "p": detail,
        "book": book,
        "tables": {
            "timeline": Table("timeline", TIMELINE_COLUMNS, detail.get("history") or []),
            "tranches": Table("tranches", TRANCHE_COLUMNS, tranches),
            "ledger": Table("ledger", LEDGER_COLUMNS, (book or {}).get("entries") or []),
            "outputs": Table("outputs", OUTPUT_COLUMNS, output_rows),
        },
    }


def _ledger(apis: ServiceApis, token: str, proposal_id: str) -> dict[str, Any] | None:
    return apis.get("disbursement", f"/api/v1/proposals/{proposal_id}/ledger", token)
