"""Alert groups (one per province): when each is due, and what each recipient was told.

Lock order, everywhere: group rows (sorted by key), then alert rows. The ingest and the flush
both follow it, so they never deadlock; with several replicas the flush takes due groups with
SKIP LOCKED, so each group is planned by one replica.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from grantflow.db import insert, is_postgres
from notifications.adapters.rows import utc
from notifications.adapters.tables import alert, group, notice
from notifications.domain.model import Status
from notifications.domain.planning import Notice


def lock_groups(session: Session, keys: Iterable[str], now: datetime) -> None:
    """Create or lock the groups of a batch, in key order (see the module's lock order)."""
    rows = [{"group_key": k, "due_at": None, "updated_at": now} for k in sorted(set(keys))]
    if rows:
        stmt = insert(session, group).values(rows)
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=[group.c.group_key], set_={"updated_at": stmt.excluded.updated_at}
            )
        )


def bring_forward(session: Session, key: str, due: datetime) -> None:
    """The group is due at `due` at the latest."""
    session.execute(
        update(group)
        .where(group.c.group_key == key, or_(group.c.due_at.is_(None), group.c.due_at > due))
        .values(due_at=due)
    )


def set_due(session: Session, key: str, due: datetime | None, now: datetime) -> None:
    """The group is due next at `due`; None: nothing waits."""
    session.execute(
        update(group).where(group.c.group_key == key).values(due_at=due, updated_at=now)
    )


def claim_due_groups(session: Session, now: datetime, limit: int) -> list[str]:
    """The keys of the groups due by `now`, earliest first, locked for this replica."""
    query = (
        select(group.c.group_key)
        .where(group.c.due_at.is_not(None), group.c.due_at <= now)
        .order_by(group.c.due_at)
        .limit(limit)
    )
    if is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def groups_with_firing(session: Session, province: str | None, kind: str | None) -> list[str]:
    """The keys of the groups with an alert firing, optionally of one province or kind."""
    query = select(alert.c.province).where(alert.c.status == Status.FIRING.value).distinct()
    if province:
        query = query.where(alert.c.province == province)
    if kind:
        query = query.where(alert.c.kind == kind)
    return sorted(session.scalars(query))


def notices(session: Session, key: str) -> dict[str, Notice]:
    """What each recipient was last told about the group, by recipient id."""
    rows = session.execute(select(notice).where(notice.c.group_key == key))
    return {
        r.recipient_id: Notice(
            {fp: (int(v[0]), int(v[1])) for fp, v in r.told.items()},
            utc(r.sent_at),
            r.thread_root,
            r.last_message_id,
        )
        for r in rows
    }


def save_notices(session: Session, key: str, changed: dict[str, Notice]) -> None:
    """Upsert the group's notices that changed, by recipient id."""
    if not changed:
        return
    rows = [
        {
            "group_key": key,
            "recipient_id": rid,
            "told": {fp: list(v) for fp, v in n.told.items()},
            "sent_at": n.sent_at,
            "thread_root": n.thread_root,
            "last_message_id": n.last_message_id,
        }
        for rid, n in sorted(changed.items())
    ]
    stmt = insert(session, notice).values(rows)
    keep = {
        c: getattr(stmt.excluded, c) for c in ("told", "sent_at", "thread_root", "last_message_id")
    }
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[notice.c.group_key, notice.c.recipient_id], set_=keep
        )
    )
