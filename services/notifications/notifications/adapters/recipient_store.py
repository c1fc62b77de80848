"""Recipients: who gets which emails, added over the API or from the recipients file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from notifications.adapters.rows import record
from notifications.adapters.tables import notice, recipient
from notifications.domain.model import Recipient


def to_recipient(row: Any) -> Recipient:
    """The recipient a `recipient` table row holds."""
    return record(Recipient, row, provinces=tuple(row.provinces), kinds=tuple(row.kinds))


def recipients(session: Session) -> list[Recipient]:
    """Every recipient, by name."""
    return [to_recipient(r) for r in session.execute(select(recipient).order_by(recipient.c.name))]


def find_recipient(session: Session, rid: str) -> Recipient | None:
    row = session.execute(select(recipient).where(recipient.c.id == rid)).first()
    return to_recipient(row) if row else None


def email_taken(session: Session, email: str, other_than: str | None = None) -> bool:
    """Whether a recipient other than `other_than` has this email."""
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
    """Overwrite the recipient's fields; its creation time stays."""
    row = recipient_row(r, now)
    del row["created_at"]
    session.execute(update(recipient).where(recipient.c.id == r.id).values(row))


def remove_recipient(session: Session, rid: str) -> None:
    """Forget the recipient, and what it was told about each group."""
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
            replace_recipient(session, replace(w, id=found.id), now)
    for gone in current.values():
        if gone.origin == "file":
            remove_recipient(session, gone.id)
