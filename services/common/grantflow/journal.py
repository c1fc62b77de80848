"""The inbox (what a consumer has applied) and the outbox (what a service has to announce).

Both tables belong to the service that owns them, so every service gets its own pair, named
with its prefix. The outbox keeps published rows: it is the service's append-only event log.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, Index, MetaData, String, Table, Text, delete, select, tuple_
from sqlalchemy.orm import Session

from grantflow.columns import EVENT_ID, moment, seq
from grantflow.contract import Envelope
from grantflow.db import insert


def event_type() -> Column[str]:
    return Column("type", String(100), nullable=False)


def inbox_table(metadata: MetaData, prefix: str) -> Table:
    return Table(
        f"{prefix}_inbox",
        metadata,
        Column("source", String(EVENT_ID), primary_key=True),
        Column("event_id", String(EVENT_ID), primary_key=True),
        event_type(),
        moment("received_at"),
    )


def outbox_table(metadata: MetaData, prefix: str) -> Table:
    table = Table(
        f"{prefix}_outbox",
        metadata,
        seq(),
        Column("event_id", String(64), nullable=False, unique=True),
        event_type(),
        Column("subject", String(200)),
        Column("body", Text, nullable=False),
        moment("created_at"),
        moment("published_at", required=False),
    )
    Index(
        f"ix_{prefix}_outbox_unpublished",
        table.c.seq,
        sqlite_where=table.c.published_at.is_(None),
        postgresql_where=table.c.published_at.is_(None),
    )
    return table


class Inbox:
    """Idempotent consumption: (source, id) under a primary key, in the effect's transaction
    (an HTTP caller's events under its own namespace: `Envelope.inbox_source`)."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def claim(self, session: Session, events: Sequence[Envelope]) -> list[bool]:
        """Insert every event's key; True where it is new. Duplicates in one batch count once.

        An HTTP caller's event is also a duplicate of the same (source, id) already received
        from an internal system (a re-post of what it sent), but it claims only its own key:
        whatever it posts, a genuine event arriving later is never taken for a duplicate.
        """
        if not events:
            return []
        known = self._received_from_systems(session, [e for e in events if e.sender])
        now = datetime.now(UTC)
        rows = {
            (e.inbox_source, e.id): {
                "source": e.inbox_source,
                "event_id": e.id,
                "type": e.type,
                "received_at": now,
            }
            for e in events
            if (e.source, e.id) not in known
        }
        fresh: set[tuple[str, str]] = set()
        if rows:
            # executemany: one cached statement whatever the batch (insertmanyvalues sends
            # the rows in pages); building a VALUES of rows x columns binds was a third of CPU
            stmt = (
                insert(session, self.table)
                .on_conflict_do_nothing()
                .returning(self.table.c.source, self.table.c.event_id)
            )
            fresh = {tuple(row) for row in session.execute(stmt, list(rows.values()))}
        claimed = []
        for e in events:
            key = (e.inbox_source, e.id)
            claimed.append(key in fresh)
            fresh.discard(key)
        return claimed

    def _received_from_systems(
        self, session: Session, posted: Sequence[Envelope]
    ) -> set[tuple[str, str]]:
        if not posted:
            return set()
        keys = sorted({(e.source, e.id) for e in posted})
        found = session.execute(
            select(self.table.c.source, self.table.c.event_id).where(
                tuple_(self.table.c.source, self.table.c.event_id).in_(keys)
            )
        )
        return {tuple(row) for row in found}

    def release(self, session: Session, events: Sequence[Envelope]) -> None:
        """Forget events that were claimed but not applied, so a re-drive can apply them."""
        if events:
            keys = [(e.inbox_source, e.id) for e in events]
            session.execute(
                delete(self.table).where(
                    tuple_(self.table.c.source, self.table.c.event_id).in_(keys)
                )
            )


class Outbox:
    """Domain events written in the same transaction as the change that caused them."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def published_after(self, session: Session, after: int, limit: int) -> tuple[list[str], int]:
        """The event log: the stored bodies (JSON text, as written) of the published events
        after `after`, in order, and the last seq. Not decoded here: the log is served as the
        text it was stored as."""
        rows = session.execute(
            select(self.table.c.seq, self.table.c.body)
            .where(self.table.c.seq > after, self.table.c.published_at.is_not(None))
            .order_by(self.table.c.seq)
            .limit(limit)
        ).all()
        return [r.body for r in rows], (rows[-1].seq if rows else after)

    def add(self, session: Session, events: Sequence[dict[str, Any]]) -> None:
        if not events:
            return
        now = datetime.now(UTC)
        session.execute(
            self.table.insert(),
            [
                {
                    "event_id": e["id"],
                    "type": e["type"],
                    "subject": e.get("subject"),
                    "body": json.dumps(e, ensure_ascii=False, separators=(",", ":")),
                    "created_at": now,
                }
                for e in events
            ],
        )
