"""Loading and saving plans and commitments; the ledger; the queries behind the reads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from disbursement.adapters.tables import commitment, ledger, notice, plan
from disbursement.domain.model import Commitment, Entry, Line, Plan, Stage
from grantflow.db import append, for_update, insert, lock_subjects, utc
from grantflow.domain import day

# Plans ------------------------------------------------------------------------------------


def load_plans(session: Session, keys: Iterable[tuple[str, int, str]]) -> dict[str, list[Plan]]:
    """Every version of each plan in version order (the last is the latest recorded), keyed
    "province:year:fund", held until the transaction ends (versions are appended: two changes
    at once would take the same one); a late adjustment is placed among them by its date."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    lock_subjects(session, plan.name, [f"{p}:{y}:{f}" for p, y, f in wanted])
    rows = session.execute(
        select(plan)
        .where(tuple_(plan.c.province, plan.c.year, plan.c.source_fund).in_(wanted))
        .order_by(plan.c.version)
    )
    found: dict[str, list[Plan]] = {}
    for r in rows:
        p = Plan(r.province, r.year, r.source_fund, r.amount_vnd, r.version, r.decision_no)
        p.at, p.cause = utc(r.occurred_at), (r.source, r.event_id)
        found.setdefault(p.key, []).append(p)
    return found


def add_plan_versions(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Plan versions are appended, never updated: the history is the table."""
    append(session, plan, rows)


# Commitments ------------------------------------------------------------------------------


def _detail(c: Commitment) -> dict[str, Any]:
    return {
        "contract_no": c.contract_no,
        "signed_on": c.signed_on.isoformat(),
        "tranches": [
            {"due_on": t.due_on.isoformat(), "amount_vnd": t.amount_vnd} for t in c.tranches
        ],
        "repayments": [
            {"due_on": t.due_on.isoformat(), "amount_vnd": t.amount_vnd} for t in c.repayments
        ],
        "accepted_on": c.accepted_on.isoformat() if c.accepted_on else None,
        "settled_vnd": c.settled_vnd,
        "settled_on": c.settled_on.isoformat() if c.settled_on else None,
        "cancelled_on": c.cancelled_on.isoformat() if c.cancelled_on else None,
        "vouchers": c.vouchers,
    }


def _day(value: str | None) -> date | None:
    """A day kept in `detail`; None where it is not (also rows from before it was kept)."""
    return day(value) if value else None


# A commitment's fields kept in columns of the same name (the rest is in `detail`).
COLUMNS = (
    *("proposal_id", "province", "year", "source_fund", "activity", "version", "recoverable"),
    *("contract_vnd", "advances_vnd", "payments_vnd", "repaid_vnd"),
)


def from_row(r: Any) -> Commitment:
    d = r.detail
    return Commitment(
        **{c: getattr(r, c) for c in COLUMNS},
        contract_no=d["contract_no"],
        signed_on=date.fromisoformat(d["signed_on"]),
        tranches=[Line(date.fromisoformat(t["due_on"]), t["amount_vnd"]) for t in d["tranches"]],
        repayments=[
            Line(date.fromisoformat(t["due_on"]), t["amount_vnd"]) for t in d["repayments"]
        ],
        stage=Stage(r.stage),
        accepted_on=date.fromisoformat(d["accepted_on"]) if d["accepted_on"] else None,
        settled_vnd=d["settled_vnd"],
        settled_on=_day(d.get("settled_on")),
        cancelled_on=_day(d.get("cancelled_on")),
        vouchers=list(d["vouchers"]),
    )


def load_commitments(session: Session, ids: Iterable[str]) -> dict[str, Commitment]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    query = (
        select(commitment)
        .where(commitment.c.proposal_id.in_(wanted))
        .order_by(commitment.c.proposal_id)
    )
    return {r.proposal_id: from_row(r) for r in session.execute(for_update(session, query))}


def open_commitments(session: Session) -> list[Commitment]:
    stages = (Stage.CONTRACTED.value, Stage.ACCEPTED.value, Stage.SETTLED.value)
    query = select(commitment).where(commitment.c.stage.in_(stages))
    return [from_row(r) for r in session.execute(query)]


def save_commitments(session: Session, items: Sequence[Commitment]) -> None:
    if not items:
        return
    now = datetime.now(UTC)
    rows = [
        {k: getattr(c, k) for k in COLUMNS}
        | {"stage": c.stage.value, "detail": _detail(c), "updated_at": now}
        for c in items
    ]
    stmt = insert(session, commitment)  # executemany: compiled once, cached
    keep = [c.name for c in commitment.c if c.name != "proposal_id"]
    upsert = stmt.on_conflict_do_update(
        index_elements=["proposal_id"], set_={k: stmt.excluded[k] for k in keep}
    )
    # RETURNING: multi-row VALUES (insertmanyvalues), not a round trip per row as an upsert
    # without it; one row per commitment (the callers pass a dict's values)
    session.execute(upsert.returning(commitment.c.proposal_id), rows)


# The ledger -------------------------------------------------------------------------------


def ledger_rows(
    c: Commitment, entries: Sequence[Entry], event_id: str, now: datetime
) -> list[dict[str, Any]]:
    return [
        {
            **c.keys(),
            "kind": e.kind.value,
            "amount_vnd": e.amount_vnd,
            "on": e.on,
            "voucher_no": e.voucher_no,
            "event_id": event_id,
            "recorded_at": now,
        }
        for e in entries
    ]


def append_ledger(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    append(session, ledger, rows)


def claim_notices(
    session: Session, keys: Sequence[tuple[str, str, int]], as_of: date
) -> set[tuple[str, str, int]]:
    """Record overdue notices; returns the keys that are new (raised here, once, ever)."""
    if not keys:
        return set()
    now = datetime.now(UTC)
    rows = [
        {"kind": k, "proposal_id": p, "line_index": i, "as_of": as_of, "raised_at": now}
        for k, p, i in keys
    ]
    stmt = (
        insert(session, notice)
        .values(rows)
        .on_conflict_do_nothing()
        .returning(notice.c.kind, notice.c.proposal_id, notice.c.line_index)
    )
    return {tuple(r) for r in session.execute(stmt)}
