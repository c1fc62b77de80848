"""The read side of the disbursement service: plans, disbursement rates, a proposal's ledger."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from disbursement.adapters.repository import from_row
from disbursement.adapters.tables import commitment, ledger, plan
from disbursement.domain.model import DISBURSED, EntryKind, schedule
from grantflow.db import utc
from grantflow.domain import FUNDS, change_percent, rate
from grantflow.reference import province as province_on


def _name(code: str, on: date) -> str | None:
    found = province_on(code, on)
    return found.name if found else None


def _plans_in_force(
    session: Session, year: int, fund: str | None, as_of: date | None
) -> dict[tuple[str, str], Any]:
    """The latest version per (province, fund) of a year's plans, as it stood on `as_of`."""
    query = select(plan).where(plan.c.year == year).order_by(plan.c.version)
    if fund:
        query = query.where(plan.c.source_fund == fund)
    latest: dict[tuple[str, str], Any] = {}
    for row in session.execute(query):
        if as_of is None or utc(row.occurred_at).date() <= as_of:
            latest[(row.province, row.source_fund)] = row
    return latest


def plans(
    session: Session, year: int, province: str | None, fund: str | None, members: list[str] | None
) -> dict[str, Any]:
    current = _plans_in_force(session, year, fund, None)
    previous = _plans_in_force(session, year - 1, fund, None)
    versions: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in session.execute(select(plan).where(plan.c.year == year).order_by(plan.c.version)):
        versions[(row.province, row.source_fund)].append(
            {
                "version": row.version,
                "amount_vnd": row.amount_vnd,
                "decision_no": row.decision_no,
                "adjusted": row.adjusted,
                "event_id": row.event_id,
                "source": row.source,
                "occurred_at": utc(row.occurred_at).isoformat(),
            }
        )
    wanted = [
        k
        for k in sorted(current)
        if (not province or k[0] == province) and (members is None or k[0] in members)
    ]
    items = []
    for key in wanted:
        row, before = current[key], previous.get(key)
        prev_amount = before.amount_vnd if before else None
        items.append(
            {
                "province": row.province,
                "province_name": _name(row.province, date(year, 1, 1)),
                "year": year,
                "source_fund": row.source_fund,
                "amount_vnd": row.amount_vnd,
                "version": row.version,
                "decision_no": row.decision_no,
                "previous_year_vnd": prev_amount,
                "change_percent": change_percent(row.amount_vnd, prev_amount),
                "versions": versions[key],
            }
        )
    return {"items": items, "totals": _totals(items)}


def _totals(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for fund in (*FUNDS, None):
        chosen = [i for i in items if fund is None or i["source_fund"] == fund]
        amount = sum(i["amount_vnd"] for i in chosen)
        previous = sum(i["previous_year_vnd"] or 0 for i in chosen)
        out.append(
            {
                "source_fund": fund or "all",
                "amount_vnd": amount,
                "previous_year_vnd": previous,
                "change_percent": change_percent(amount, previous),
                "provinces": len({i["province"] for i in chosen}),
            }
        )
    return out


def disbursement_rates(
    session: Session, year: int, fund: str | None, as_of: date, members: list[str] | None
) -> dict[str, Any]:
    allocated: dict[str, int] = defaultdict(int)
    for (code, _), row in _plans_in_force(session, year, fund, as_of).items():
        allocated[code] += row.amount_vnd
    sums = (
        select(ledger.c.province, ledger.c.kind, func.sum(ledger.c.amount_vnd))
        .where(ledger.c.year == year, ledger.c.on <= as_of)
        .group_by(ledger.c.province, ledger.c.kind)
    )
    if fund:
        sums = sums.where(ledger.c.source_fund == fund)
    committed: dict[str, int] = defaultdict(int)
    disbursed: dict[str, int] = defaultdict(int)
    refund_due: dict[str, int] = defaultdict(int)
    owed: dict[str, int] = defaultdict(int)
    for code, kind, total in session.execute(sums):
        total = int(total)
        if kind in DISBURSED:
            disbursed[code] += total
        elif kind == EntryKind.COMMITMENT:
            committed[code] += total
        elif kind == EntryKind.RELEASE:
            committed[code] -= total
        elif kind == EntryKind.REFUND_DUE:
            refund_due[code] += total
        elif kind == EntryKind.PAYABLE:
            owed[code] += total
        elif kind == EntryKind.PAYABLE_PAID:
            owed[code] -= total
    codes = sorted(set(allocated) | set(committed) | set(disbursed))
    if members is not None:
        codes = sorted(set(members))
    rows = [
        _rate_row(c, _name(c, date(year, 1, 1)), allocated[c], committed[c], disbursed[c])
        | {"refund_due_vnd": refund_due[c], "owed_vnd": owed[c]}
        for c in codes
    ]
    total = _rate_row(
        None,
        "total",
        sum(r["allocated_vnd"] for r in rows),
        sum(r["committed_vnd"] for r in rows),
        sum(r["disbursed_vnd"] for r in rows),
    ) | {
        "refund_due_vnd": sum(r["refund_due_vnd"] for r in rows),
        "owed_vnd": sum(r["owed_vnd"] for r in rows),
    }
    return {
        "year": year,
        "source_fund": fund,
        "as_of": as_of.isoformat(),
        "items": rows,
        "total": total,
    }


def _rate_row(
    code: str | None, name: str | None, allocated: int, committed: int, disbursed: int
) -> dict[str, Any]:
    return {
        "province": code,
        "province_name": name,
        "allocated_vnd": allocated,
        "committed_vnd": committed,
        "disbursed_vnd": disbursed,
        "rate": rate(disbursed, allocated),
    }


def proposal_ledger(session: Session, proposal_id: str, as_of: date) -> dict[str, Any] | None:
    row = session.execute(select(commitment).where(commitment.c.proposal_id == proposal_id)).first()
    if row is None:
        return None
    c = from_row(row)
    tranches = []
    for t, due in schedule(c.tranches):  # one pass: the ledger read is linear in tranches
        status = "paid" if c.paid_vnd >= due else ("overdue" if t.due_on < as_of else "due")
        tranches.append(
            {
                "due_on": t.due_on.isoformat(),
                "amount_vnd": t.amount_vnd,
                "due_total_vnd": due,
                "status": status,
            }
        )
    entries = [
        {
            "kind": e.kind,
            "amount_vnd": e.amount_vnd,
            "on": e.on.isoformat(),
            "voucher_no": e.voucher_no,
            "event_id": e.event_id,
            "recorded_at": utc(e.recorded_at).isoformat(),
        }
        for e in session.execute(
            select(ledger).where(ledger.c.proposal_id == proposal_id).order_by(ledger.c.seq)
        )
    ]
    repaid_due = sum(r.amount_vnd for r in c.repayments if r.due_on <= as_of)
    return {
        **c.keys(),
        "activity": c.activity,
        "stage": c.stage.value,
        "version": c.version,
        "contract_no": c.contract_no,
        "contract_vnd": c.contract_vnd,
        "signed_on": c.signed_on.isoformat(),
        "recoverable": c.recoverable,
        "advances_vnd": c.advances_vnd,
        "payments_vnd": c.payments_vnd,
        "paid_vnd": c.paid_vnd,
        "settled_vnd": c.settled_vnd,
        "refund_due_vnd": sum(e["amount_vnd"] for e in entries if e["kind"] == "refund_due"),
        "owed_vnd": c.owed_vnd,
        "tranches": tranches,
        "repayments": [
            {"due_on": r.due_on.isoformat(), "amount_vnd": r.amount_vnd} for r in c.repayments
        ],
        "repaid_vnd": c.repaid_vnd,
        "arrears_vnd": max(0, repaid_due - c.repaid_vnd),
        "entries": entries,
        "as_of": as_of.isoformat(),
    }
