"""Reporting's read models written directly, as its projections would have left them.

For tests of the lag evaluation's SQL on a chosen state of things: each function adds the
rows one fact gives; days are ISO dates.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection


def day(iso: str | None) -> int | None:
    return date.fromisoformat(iso).toordinal() if iso else None


def proposal(
    conn: Connection,
    pid: str,
    province: str = "80",
    *,
    year: int = 2016,
    fund: str = "national",
    submitted: str = "2016-01-10",
    approved: str | None = None,
    signed: str | None = None,
    accepted: str | None = None,
    settled: str | None = None,
    closed: str | None = None,
    start: str = "2016-02-01",
    end: str = "2016-12-31",
    amount: int = 100_000_000,
) -> None:
    from reporting.adapters.tables import proposal as table

    state = (
        "settled"
        if settled
        else "accepted"
        if accepted
        else "contracted"
        if signed
        else ("approved" if approved else "in_appraisal")
    )
    conn.execute(
        table.insert().values(
            proposal_id=pid,
            province=province,
            year=year,
            source_fund=fund,
            activity="training",
            title=f"proposal {pid}",
            state="cancelled" if closed else state,
            requested_vnd=amount,
            approved_vnd=amount if approved else None,
            contract_vnd=amount if signed else None,
            submitted_day=day(submitted),
            approved_day=day(approved),
            signed_day=day(signed),
            accepted_day=day(accepted),
            settled_day=day(settled),
            closed_day=day(closed),
            planned_start_day=day(start),
            planned_end_day=day(end),
            targets={},
        )
    )


def plan(conn: Connection, province: str, amount: int, year: int = 2016, **kw: Any) -> None:
    from reporting.adapters.tables import plan as table

    fund = kw.get("fund", "national")
    conn.execute(
        table.insert().values(
            province=province,
            year=year,
            source_fund=fund,
            version=kw.get("version", 1),
            amount_vnd=amount,
            approved_day=day(kw.get("approved", f"{year}-01-15")),
        )
    )


def money(
    conn: Connection, pid: str, kind: str, amount: int, on: str, province: str = "80", **kw: Any
) -> None:
    """A `commitment`, `release`, `disbursed` or `repaid` of a proposal."""
    from reporting.adapters.tables import money as table

    conn.execute(
        table.insert().values(
            proposal_id=pid,
            province=province,
            year=kw.get("year", 2016),
            source_fund=kw.get("fund", "national"),
            kind=kind,
            amount_vnd=amount,
            day=day(on),
        )
    )


def progress(conn: Connection, pid: str, percent: float, on: str, version: int = 1) -> None:
    from reporting.adapters.tables import progress as table

    conn.execute(
        table.insert().values(
            proposal_id=pid,
            version=version,
            as_of_day=day(on),
            percent_complete=percent,
            outputs={},
            final=0,
        )
    )


def schedule(conn: Connection, pid: str, kind: str, lines: list[tuple[str, int]]) -> None:
    """`tranche` or `repayment` lines (due day, amount); stored with their running total."""
    from reporting.adapters.tables import schedule as table

    total = 0
    for i, (due, amount) in enumerate(sorted(lines)):
        total += amount
        conn.execute(
            table.insert().values(
                proposal_id=pid, kind=kind, line_index=i, due_day=day(due), due_total_vnd=total
            )
        )
