"""Read models from domain events: applied once, in order per (source, subject) by version.

An event whose version is not the next one for its subject is `Early` (retried until the
missing one arrives); one at or below the stored version was already applied.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.orm import Session

from grantflow.contract import Envelope
from grantflow.db import insert
from grantflow.errors import Early
from grantflow.outcomes import Applied, NotApplied, Outcome
from reporting.adapters.tables import (
    money,
    plan,
    progress,
    proposal,
    schedule,
    stream,
    watermark,
)

PROPOSAL_EVENTS = (
    "proposal_submitted",
    "proposal_appraised",
    "proposal_approved",
    "proposal_rejected",
    "contract_signed",
    "progress_reported",
    "proposal_accepted",
    "proposal_settled",
    "proposal_cancelled",
)
DISBURSEMENT_EVENTS = (
    "plan_approved",
    "commitment_recorded",
    "disbursement_recorded",
    "settlement_recorded",
    "repayment_recorded",
    "tranche_overdue",
    "repayment_overdue",
)
HANDLED = PROPOSAL_EVENTS + DISBURSEMENT_EVENTS


def day(value: str | date) -> int:
    return (date.fromisoformat(value) if isinstance(value, str) else value).toordinal()


def apply_events(session: Session, events: Sequence[Envelope]) -> list[Outcome]:
    keys = {(e.source, e.subject or "") for e in events}
    versions = {
        (r.source, r.subject): r.version
        for r in session.execute(
            select(stream).where(tuple_(stream.c.source, stream.c.subject).in_(sorted(keys)))
        )
    }
    seen = dict(versions)
    projected = False
    outcomes: list[Outcome] = []
    for e in events:
        key = (e.source, e.subject or "")
        stored, version = seen.get(key, 0), e.version or 0
        if version and version <= stored:
            outcomes.append(Applied())  # applied before under another delivery
            continue
        if version and version != stored + 1:
            outcomes.append(
                NotApplied(
                    Early("version_gap", f"{e.type} v{version} of {key[1]} waits for v{stored + 1}")
                )
            )
            continue
        PROJECT[e.type](session, e)
        seen[key] = version
        projected = True
        outcomes.append(Applied())
    changed = [
        {"source": s, "subject": sub, "version": v}
        for (s, sub), v in seen.items()
        if versions.get((s, sub)) != v
    ]
    if changed:
        stmt = insert(session, stream).values(changed)
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=["source", "subject"], set_={"version": stmt.excluded.version}
            )
        )
    if projected:  # last: the row stays locked only until the commit that follows
        session.execute(update(watermark).values(changes=watermark.c.changes + 1))
    return outcomes


def _set(session: Session, e: Envelope, **values: Any) -> None:
    session.execute(
        update(proposal)
        .where(proposal.c.proposal_id == e.data["proposal_id"])
        .values(state=e.data["state"], **values)
    )


def submitted(session: Session, e: Envelope) -> None:
    d = e.data
    row = {
        "proposal_id": d["proposal_id"],
        "province": d["province"],
        "year": d["year"],
        "source_fund": d["source_fund"],
        "activity": d["activity"],
        "title": d["title"],
        "state": d["state"],
        "requested_vnd": d["requested_vnd"],
        "submitted_day": day(e.on),
        "planned_start_day": day(d["planned_start"]),
        "planned_end_day": day(d["planned_end"]),
        "targets": d["targets"] or {},
        "closed_day": None,
    }
    stmt = insert(session, proposal).values(row)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["proposal_id"],
            set_={k: stmt.excluded[k] for k in row if k != "proposal_id"},
        )
    )


def progress_reported(session: Session, e: Envelope) -> None:
    d = e.data
    _set(session, e)
    session.execute(
        progress.insert().values(
            proposal_id=d["proposal_id"],
            version=e.version or 0,
            as_of_day=day(d["as_of"]),
            percent_complete=d["percent_complete"],
            outputs=d["outputs"] or {},
            final=0,
        )
    )


def accepted(session: Session, e: Envelope) -> None:
    d = e.data
    _set(session, e, accepted_day=day(d["accepted_on"]))
    session.execute(
        progress.insert().values(
            proposal_id=d["proposal_id"],
            version=e.version or 0,
            as_of_day=day(d["accepted_on"]),
            percent_complete=100.0,
            outputs=d["outputs"] or {},
            final=1,
        )
    )


def cancelled(session: Session, e: Envelope) -> None:
    """A cancelled contract releases what was committed and not disbursed."""
    _set(session, e, closed_day=day(e.on))
    pid = e.data["proposal_id"]
    row = session.execute(
        select(proposal.c.contract_vnd).where(proposal.c.proposal_id == pid)
    ).scalar()
    if row:
        paid = session.execute(
            select(func.coalesce(func.sum(money.c.amount_vnd), 0)).where(
                money.c.proposal_id == pid, money.c.kind == "disbursed"
            )
        ).scalar()
        if row - int(paid) > 0:
            _money(session, e, "release", row - int(paid), e.on)


def _money(session: Session, e: Envelope, kind: str, amount: int, on: str | date) -> None:
    d = e.data
    session.execute(
        money.insert().values(
            proposal_id=d["proposal_id"],
            province=d["province"],
            year=d["year"],
            source_fund=d["source_fund"],
            kind=kind,
            amount_vnd=amount,
            day=day(on),
        )
    )


def commitment(session: Session, e: Envelope) -> None:
    d = e.data
    _money(session, e, "commitment", d["contract_vnd"], d["signed_on"])
    rows = []
    for kind, lines in (("tranche", d["tranches"]), ("repayment", d["repayments"])):
        running = 0
        for i, line in enumerate(sorted(lines, key=lambda x: x["due_on"])):
            running += line["amount_vnd"]
            rows.append(
                {
                    "proposal_id": d["proposal_id"],
                    "kind": kind,
                    "line_index": i,
                    "due_day": day(line["due_on"]),
                    "due_total_vnd": running,
                }
            )
    if rows:
        session.execute(schedule.insert(), rows)


def plan_approved(session: Session, e: Envelope) -> None:
    d = e.data
    session.execute(
        plan.insert().values(
            province=d["province"],
            year=d["year"],
            source_fund=d["source_fund"],
            version=d["plan_version"],
            amount_vnd=d["amount_vnd"],
            approved_day=day(e.on),
        )
    )


def _nothing(session: Session, e: Envelope) -> None:
    """Known and ordered, but the evaluation derives it itself (overdue notices)."""


PROJECT: dict[str, Callable[[Session, Envelope], None]] = {
    "proposal_submitted": submitted,
    "proposal_appraised": lambda s, e: _set(s, e),
    "proposal_approved": lambda s, e: _set(
        s, e, approved_vnd=e.data["approved_vnd"], approved_day=day(e.data["approved_on"])
    ),
    "proposal_rejected": lambda s, e: _set(s, e, closed_day=day(e.on)),
    "contract_signed": lambda s, e: _set(
        s, e, contract_vnd=e.data["amount_vnd"], signed_day=day(e.data["signed_on"])
    ),
    "progress_reported": progress_reported,
    "proposal_accepted": accepted,
    "proposal_settled": lambda s, e: _set(s, e, settled_day=day(e.data["settled_on"])),
    "proposal_cancelled": cancelled,
    "plan_approved": plan_approved,
    "commitment_recorded": commitment,
    "disbursement_recorded": lambda s, e: _money(
        s, e, "disbursed", e.data["amount_vnd"], e.data["paid_on"]
    ),
    "settlement_recorded": lambda s, e: (
        _money(s, e, "release", e.data["released_vnd"], e.data["settled_on"])
        if e.data["released_vnd"]
        else None
    ),
    "repayment_recorded": lambda s, e: _money(
        s, e, "repaid", e.data["amount_vnd"], e.data["received_on"]
    ),
    "tranche_overdue": _nothing,
    "repayment_overdue": _nothing,
}
