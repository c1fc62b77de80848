"""Loading and saving proposals, and the queries behind the read endpoints."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grantflow.audit import ACCEPTED
from grantflow.db import append, for_update, insert, lock_subjects, page, utc
from proposals.adapters.tables import audit, history, proposal
from proposals.domain.model import Line, Proposal, State

KEY_COLUMNS = (
    "province",
    "year",
    "source_fund",
    "activity",
    "state",
    "version",
    "title",
    "requested_vnd",
    "approved_vnd",
    "contract_vnd",
)
DATE_FIELDS = {
    "planned_start",
    "planned_end",
    "approved_on",
    "signed_on",
    "progress_as_of",
    "accepted_on",
    "settled_on",
    "closed_on",
}
LINE_FIELDS = {"tranches", "repayments"}


def to_row(p: Proposal) -> dict[str, Any]:
    doc = {}
    for f in dataclasses.fields(p):
        value = getattr(p, f.name)
        if f.name in DATE_FIELDS and value is not None:
            value = value.isoformat()
        elif f.name in LINE_FIELDS:
            value = [{"due_on": x.due_on.isoformat(), "amount_vnd": x.amount_vnd} for x in value]
        doc[f.name] = value
    row = {k: doc[k] for k in KEY_COLUMNS}
    row["proposal_id"] = p.proposal_id
    row["detail"] = {k: v for k, v in doc.items() if k not in KEY_COLUMNS and k != "proposal_id"}
    return row


def from_row(row: Any) -> Proposal:
    values = dict(row.detail)
    for k in KEY_COLUMNS:
        values[k] = getattr(row, k)
    for k in DATE_FIELDS:
        if values.get(k) is not None:
            values[k] = date.fromisoformat(values[k])
    for k in LINE_FIELDS:
        values[k] = [Line(date.fromisoformat(x["due_on"]), x["amount_vnd"]) for x in values[k]]
    values["state"] = State(values["state"])
    if values.get("reached") is not None:
        values["reached"] = State(values["reached"])
    return Proposal(proposal_id=row.proposal_id, **values)


def load_for_update(session: Session, ids: Iterable[str]) -> dict[str, Proposal]:
    """The proposals with these ids, row-locked (PostgreSQL) in id order to avoid deadlocks;
    the ids not submitted yet are held too, so one submission is decided at a time."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    lock_subjects(session, proposal.name, wanted)
    query = (
        select(proposal).where(proposal.c.proposal_id.in_(wanted)).order_by(proposal.c.proposal_id)
    )
    return {row.proposal_id: from_row(row) for row in session.execute(for_update(session, query))}


def save(session: Session, proposals: Sequence[Proposal]) -> None:
    """Insert or update in one cached statement (executemany), whatever the number."""
    if not proposals:
        return
    now = datetime.now(UTC)
    rows = [{**to_row(p), "created_at": now, "updated_at": now} for p in proposals]
    stmt = insert(session, proposal)  # executemany: compiled once, cached
    updated = {c: stmt.excluded[c] for c in (*KEY_COLUMNS, "detail", "updated_at")}
    upsert = stmt.on_conflict_do_update(index_elements=["proposal_id"], set_=updated)
    # RETURNING makes SQLAlchemy send the rows as multi-row VALUES (insertmanyvalues), which
    # it does not do for an upsert without it: a round trip per row. One row per proposal.
    session.execute(upsert.returning(proposal.c.proposal_id), rows)


def record_history(session: Session, entries: Sequence[dict[str, Any]]) -> None:
    append(session, history, entries)


def summary(p: Proposal) -> dict[str, Any]:
    return {
        **p.keys(),
        "title": p.title,
        "state": p.state.value,
        "version": p.version,
        "requested_vnd": p.requested_vnd,
        "approved_vnd": p.approved_vnd,
        "contract_vnd": p.contract_vnd,
    }


def find(
    session: Session,
    filters: dict[str, Any],
    limit: int,
    offset: int,
    provinces: list[str] | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """A page of summaries; `provinces` (a caller's) bounds the rows whatever the filters."""
    conditions = [getattr(proposal.c, k) == v for k, v in filters.items() if v is not None]
    if provinces is not None:
        conditions.append(proposal.c.province.in_(provinces))
    rows, total = page(session, proposal, conditions, [proposal.c.proposal_id], limit, offset)
    return [summary(from_row(r)) for r in rows], total


def submitters(session: Session, proposal_ids: Iterable[str]) -> dict[str, frozenset[str]]:
    """Who submitted (or resubmitted) each proposal, from the audit trail's accepted rows."""
    t = audit.table
    rows = session.execute(
        select(t.c.proposal_id, t.c.actor).where(
            t.c.proposal_id.in_(sorted(set(proposal_ids))),
            t.c.action == "proposal.submitted",
            t.c.outcome == ACCEPTED,
        )
    )
    found: dict[str, set[str]] = {}
    for pid, actor in rows:
        found.setdefault(pid, set()).add(actor)
    return {pid: frozenset(actors) for pid, actors in found.items()}


def detail(session: Session, proposal_id: str) -> dict[str, Any] | None:
    row = session.execute(select(proposal).where(proposal.c.proposal_id == proposal_id)).first()
    if row is None:
        return None
    p = from_row(row)
    body = {**to_row(p)["detail"], **summary(p)}
    entries = session.execute(
        select(history).where(history.c.proposal_id == proposal_id).order_by(history.c.version)
    )
    body["history"] = [
        {
            "version": h.version,
            "event_id": h.event_id,
            "source": h.source,
            "type": h.type,
            "occurred_at": utc(h.occurred_at).isoformat(),
            "recorded_at": utc(h.recorded_at).isoformat(),
            "state_before": h.state_before,
            "state_after": h.state_after,
            "domain_event_id": h.domain_event_id,
        }
        for h in entries
    ]
    return body
