"""Every province's money as the services answer it: (allocated, committed, disbursed,
refunded or refund due, owed), to compare with a history's totals to the dong."""

from __future__ import annotations

from typing import Any

Totals = dict[str, tuple[Any, ...]]


def reported(pipeline: Any, as_of: str) -> Totals:
    """Reporting's province report."""
    report = pipeline.get("reporting", "/api/v1/reports/provinces", as_of=as_of).json()
    return {
        r["province"]: (
            r["allocated_vnd"],
            r["committed_vnd"],
            r["disbursed_vnd"],
            r.get("refunded_vnd"),
            r.get("owed_vnd"),
        )
        for r in report["items"]
    }


def in_ledger(pipeline: Any, year: int, as_of: str) -> Totals:
    """Disbursement's rates, read from its ledger."""
    rates = pipeline.get("disbursement", "/api/v1/disbursement-rates", year=year, as_of=as_of)
    return {
        r["province"]: (
            r["allocated_vnd"],
            r["committed_vnd"],
            r["disbursed_vnd"],
            r.get("refund_due_vnd"),
            r.get("owed_vnd"),
        )
        for r in rates.json()["items"]
    }


def expected(history: Any) -> Totals:
    return {
        code: (t.allocated, t.committed, t.disbursed, t.refunded, t.owed)
        for code, t in history.totals.items()
    }
