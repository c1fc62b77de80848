"""Loading and saving alerts, groups, notices, recipients, silences and deliveries.

Lock order, everywhere: group rows (sorted by key), then alert rows. The ingest and the flush
both follow it, so they never deadlock; with several replicas the flush takes due groups and
pending deliveries with SKIP LOCKED, so each is handled by one replica.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from grantflow.db import insert
from notifications.adapters.tables import (
    alert,
    delivery,
    group,
    held,
    notice,
    recipient,
    silence,
)
from notifications.domain.model import Alert, Level, Recipient, Silence, Status
from notifications.domain.planning import Notice


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def utc(value: datetime | None) -> datetime | None:
    """SQLite gives naive timestamps back: they were written in UTC."""
    if value is None:
        return None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


# Groups -----------------------------------------------------------------------------------


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
    session.execute(
        update(group).where(group.c.group_key == key).values(due_at=due, updated_at=now)
    )


def claim_due_groups(session: Session, now: datetime, limit: int) -> list[str]:
    query = (
        select(group.c.group_key)
        .where(group.c.due_at.is_not(None), group.c.due_at <= now)
        .order_by(group.c.due_at)
        .limit(limit)
    )
    if is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


# Alerts -----------------------------------------------------------------------------------


def to_alert(row: Any) -> Alert:
    return Alert(
        fingerprint=row.fingerprint,
        kind=row.kind,
        province=row.province,
        year=row.year,
        source_fund=row.source_fund,
        level=Level.of(row.level),
        status=Status(row.status),
        episode=row.episode,
        starts_at=utc(row.starts_at),  # type: ignore[arg-type]
        updated_at=utc(row.updated_at),  # type: ignore[arg-type]
        data=row.data,
        proposal_id=row.proposal_id,
        version=row.version,
        revision=row.revision,
    )


def load_alerts(session: Session, fingerprints: Iterable[str]) -> dict[str, Alert]:
    wanted = sorted(set(fingerprints))
    if not wanted:
        return {}
    query = select(alert).where(alert.c.fingerprint.in_(wanted)).order_by(alert.c.fingerprint)
    if is_postgres(session):
        query = query.with_for_update()
    return {r.fingerprint: to_alert(r) for r in session.execute(query)}


def save_alerts(session: Session, changed: Sequence[tuple[Alert, str]]) -> None:
    """Upsert `(alert, last event id)` pairs."""
    if not changed:
        return
    rows = [
        {
            "fingerprint": a.fingerprint,
            "kind": a.kind,
            "province": a.province,
            "year": a.year,
            "source_fund": a.source_fund,
            "proposal_id": a.proposal_id,
            "level": a.level.label,
            "status": a.status.value,
            "episode": a.episode,
            "version": a.version,
            "revision": a.revision,
            "data": dict(a.data),
            "starts_at": a.starts_at,
            "updated_at": a.updated_at,
            "last_event_id": event_id,
        }
        for a, event_id in changed
    ]
    stmt = insert(session, alert).values(rows)
    keep = {c: getattr(stmt.excluded, c) for c in rows[0] if c != "fingerprint"}
    session.execute(stmt.on_conflict_do_update(index_elements=[alert.c.fingerprint], set_=keep))


def group_alerts(session: Session, key: str) -> list[Alert]:
    query = select(alert).where(
        alert.c.province == key, alert.c.status.in_([Status.FIRING, Status.RESOLVING])
    )
    return [to_alert(r) for r in session.execute(query.order_by(alert.c.fingerprint))]


def alerts_since(session: Session, since: datetime) -> list[Alert]:
    """Alerts firing or resolving now, and those that started or changed since `since`."""
    query = select(alert).where(
        or_(
            alert.c.status.in_([Status.FIRING, Status.RESOLVING]),
            alert.c.updated_at >= since,
            alert.c.starts_at >= since,
        )
    )
    return [to_alert(r) for r in session.execute(query.order_by(alert.c.fingerprint))]


def settle(session: Session, alerts: Sequence[Alert], now: datetime) -> None:
    """Told: resolving -> resolved, an announced fact -> resolved; unless it changed since."""
    for a in alerts:
        session.execute(
            update(alert)
            .where(alert.c.fingerprint == a.fingerprint, alert.c.revision == a.revision)
            .values(status=Status.RESOLVED.value, revision=a.revision + 1, updated_at=now)
        )


# Notices ----------------------------------------------------------------------------------


def notices(session: Session, key: str) -> dict[str, Notice]:
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


# Recipients -------------------------------------------------------------------------------


def to_recipient(row: Any) -> Recipient:
    return Recipient(
        id=row.id,
        name=row.name,
        email=row.email,
        language=row.language,
        role=row.role,
        provinces=tuple(row.provinces),
        kinds=tuple(row.kinds),
        digest=row.digest,
        origin=row.origin,
    )


def recipients(session: Session) -> list[Recipient]:
    return [to_recipient(r) for r in session.execute(select(recipient).order_by(recipient.c.name))]


def find_recipient(session: Session, rid: str) -> Recipient | None:
    row = session.execute(select(recipient).where(recipient.c.id == rid)).first()
    return to_recipient(row) if row else None


def email_taken(session: Session, email: str, other_than: str | None = None) -> bool:
    query = select(recipient.c.id).where(recipient.c.email == email)
    if other_than:
        query = query.where(recipient.c.id != other_than)
    return session.execute(query).first() is not None


def recipient_row(r: Recipient, now: datetime) -> dict[str, Any]:
    return {
        **r.fields(),
        "created_at": now,
        "updated_at": now,
    }


def add_recipient(session: Session, r: Recipient, now: datetime) -> None:
    session.execute(recipient.insert().values(recipient_row(r, now)))


def replace_recipient(session: Session, r: Recipient, now: datetime) -> None:
    row = recipient_row(r, now)
    del row["created_at"]
    session.execute(update(recipient).where(recipient.c.id == r.id).values(row))


def remove_recipient(session: Session, rid: str) -> None:
    session.execute(delete(notice).where(notice.c.recipient_id == rid))
    session.execute(delete(recipient).where(recipient.c.id == rid))


def sync_file_recipients(session: Session, wanted: Sequence[Recipient], now: datetime) -> None:
    """Make the file's recipients exactly `wanted` (matched by email); API ones stay."""
    current = {
        r.email: r
        for r in recipients(session)
        if r.origin == "file" or r.email in {w.email for w in wanted}
    }
    for w in wanted:
        found = current.pop(w.email, None)
        if found is None:
            add_recipient(session, w, now)
        else:
            replace_recipient(session, Recipient(**{**_fields(w), "id": found.id}), now)
    for gone in current.values():
        if gone.origin == "file":
            remove_recipient(session, gone.id)


def _fields(r: Recipient) -> dict[str, Any]:
    return {name: getattr(r, name) for name in Recipient.__slots__}  # type: ignore[attr-defined]


# Silences ---------------------------------------------------------------------------------


def to_silence(row: Any) -> Silence:
    return Silence(
        id=row.id,
        province=row.province,
        kind=row.kind,
        starts_at=utc(row.starts_at),  # type: ignore[arg-type]
        ends_at=utc(row.ends_at),  # type: ignore[arg-type]
        comment=row.comment,
        created_by=row.created_by,
    )


def silences_in_force(session: Session, now: datetime) -> list[Silence]:
    """Silences that have not ended (including those that start later)."""
    query = select(silence).where(silence.c.ends_at > now).order_by(silence.c.starts_at)
    return [to_silence(r) for r in session.execute(query)]


def find_silence(session: Session, sid: str) -> Silence | None:
    row = session.execute(select(silence).where(silence.c.id == sid)).first()
    return to_silence(row) if row else None


def add_silence(session: Session, s: Silence, now: datetime) -> None:
    session.execute(
        silence.insert().values(
            id=s.id,
            province=s.province,
            kind=s.kind,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            comment=s.comment,
            created_by=s.created_by,
            created_at=now,
        )
    )


def end_silence(session: Session, sid: str, now: datetime) -> None:
    session.execute(
        update(silence).where(silence.c.id == sid, silence.c.ends_at > now).values(ends_at=now)
    )


def groups_with_firing(session: Session, province: str | None, kind: str | None) -> list[str]:
    query = select(alert.c.province).where(alert.c.status == Status.FIRING.value).distinct()
    if province:
        query = query.where(alert.c.province == province)
    if kind:
        query = query.where(alert.c.kind == kind)
    return sorted(session.scalars(query))


def add_held(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(session, held).values(list(rows)).on_conflict_do_nothing())


# Deliveries -------------------------------------------------------------------------------


def add_deliveries(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Insert new deliveries; a key or Message-ID that exists already is left alone."""
    if not rows:
        return 0
    stmt = insert(session, delivery).values(list(rows)).on_conflict_do_nothing()
    return len(session.execute(stmt.returning(delivery.c.id)).all())


def existing_keys(
    session: Session, keys: Iterable[tuple[str, str, str]]
) -> set[tuple[str, str, str]]:
    wanted = list(keys)
    if not wanted:
        return set()
    fingerprints = {k[0] for k in wanted}
    rows = session.execute(
        select(delivery.c.fingerprint, delivery.c.recipient_id, delivery.c.window).where(
            delivery.c.fingerprint.in_(fingerprints)
        )
    )
    return {tuple(r) for r in rows} & set(wanted)  # type: ignore[misc]


def due_deliveries(session: Session, now: datetime, limit: int) -> list[int]:
    query = (
        select(delivery.c.id)
        .where(delivery.c.status == "pending", delivery.c.next_attempt_at <= now)
        .order_by(delivery.c.next_attempt_at, delivery.c.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def claim_delivery(session: Session, did: int, now: datetime) -> Any | None:
    """The pending delivery, locked for this worker; None when another replica has it."""
    query = select(delivery).where(
        and_(
            delivery.c.id == did, delivery.c.status == "pending", delivery.c.next_attempt_at <= now
        )
    )
    if is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    return session.execute(query).first()


def record_attempt(session: Session, did: int, **values: Any) -> None:
    session.execute(update(delivery).where(delivery.c.id == did).values(**values))


def pending_count(session: Session) -> int:
    return session.execute(
        select(func.count()).select_from(delivery).where(delivery.c.status == "pending")
    ).scalar_one()
