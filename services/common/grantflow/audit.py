"""The audit trail: who changed what, when, from which state to which; append-only.

Every service has its own `<prefix>_audit` table (`audit_table`, like the inbox and outbox of
`journal`). Rows are only ever inserted:

- accepted changes, written in the transaction of the change: an event's rule returns
  `Applied(changes=...)` and `outcomes.apply_batch` records them with the event's type, id
  and source, the actor being the token subject for an HTTP post and the source otherwise;
  commands that are not events (recipients, silences, lag levels) call `AuditLog.record`;
- refused attempts, in a transaction of their own: a 403 of `http.ApiHandler` and a dead
  letter of the ingest (`grantflow.ingest`) both go through `AuditTrail.refused`.

`GET /api/v1/audit?proposal_id=&actor=&since=&after=&limit=` (`http.Observable`) reads it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from nameko.extensions import DependencyProvider
from sqlalchemy import JSON, Column, Index, MetaData, String, Table, Text, select
from sqlalchemy.orm import Session

from grantflow.columns import EVENT_ID, event_id, ident, moment, seq
from grantflow.db import Database, utc

log = logging.getLogger(__name__)

ACCEPTED = "accepted"
REFUSED = "refused"


def audit_table(metadata: MetaData, prefix: str) -> Table:
    table = Table(
        f"{prefix}_audit",
        metadata,
        seq(),
        moment("recorded_at"),
        Column("actor", String(200), nullable=False),
        Column("source", String(EVENT_ID)),
        Column("outcome", String(10), nullable=False),
        Column("action", String(300), nullable=False),
        event_id(required=False),
        Column("subject", String(200)),
        ident("proposal_id", required=False),
        Column("before", JSON),
        Column("after", JSON),
        Column("code", String(100)),
        Column("detail", Text),
    )
    Index(f"ix_{prefix}_audit_proposal", table.c.proposal_id)
    Index(f"ix_{prefix}_audit_actor", table.c.actor)
    Index(f"ix_{prefix}_audit_recorded", table.c.recorded_at)
    return table


@dataclass(frozen=True, slots=True)
class Change:
    """What one accepted event changed: the thing (`subject`) and its state before and after
    (None before: it did not exist)."""

    subject: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    proposal_id: str | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """One row of the trail; `action` is the event type (or `METHOD /path`, or a command)."""

    actor: str
    action: str
    outcome: str = ACCEPTED
    source: str | None = None
    event_id: str | None = None
    subject: str | None = None
    proposal_id: str | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    code: str | None = None
    detail: str | None = None
    recorded_at: datetime | None = field(default=None, compare=False)

    @classmethod
    def of_change(cls, change: Change, event: Any, actor: str | None = None) -> Entry:
        """An accepted change caused by `event` (an `Envelope`); actor: the event's source
        unless a person posted it."""
        return cls(
            actor=actor or event.source,
            action=event.type,
            source=event.source,
            event_id=event.id,
            subject=change.subject,
            proposal_id=change.proposal_id or (event.data or {}).get("proposal_id"),
            before=change.before,
            after=change.after,
        )


@dataclass(frozen=True, slots=True)
class Acting:
    """Someone changing things by a command rather than an event (a recipient, a silence, a
    warning level): `changed` appends their change in the caller's transaction."""

    log: AuditLog
    actor: str

    def changed(
        self,
        session: Session,
        action: str,
        subject: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        proposal_id: str | None = None,
    ) -> None:
        entry = Entry(self.actor, action, subject=subject, before=before, after=after)
        self.log.record(session, [replace(entry, proposal_id=proposal_id)])


def _text(value: str | None, limit: int) -> str | None:
    """Bounded, and without NUL characters (PostgreSQL refuses them)."""
    return value.replace("\x00", "")[:limit] if value else None


def _plain(value: Any) -> Any:
    """JSON-safe (dates and enums as text), so every dialect stores the same thing."""
    return None if value is None else json.loads(json.dumps(value, default=str))


class AuditLog:
    def __init__(self, table: Table) -> None:
        self.table = table

    def record(self, session: Session, entries: Sequence[Entry]) -> None:
        """Append `entries` in the caller's transaction (the caller commits)."""
        if not entries:
            return
        now = datetime.now(UTC)
        session.execute(
            self.table.insert(),
            [
                {
                    "recorded_at": e.recorded_at or now,
                    "actor": _text(e.actor, 200) or "unknown",
                    "source": _text(e.source, 200),
                    "outcome": e.outcome,
                    "action": _text(e.action, 300) or "unknown",
                    "event_id": _text(e.event_id, 200),
                    "subject": _text(e.subject, 200),
                    "proposal_id": _text(e.proposal_id, 64),
                    "before": _plain(e.before),
                    "after": _plain(e.after),
                    "code": _text(e.code, 100),
                    "detail": _text(e.detail, 2000),
                }
                for e in entries
            ],
        )

    def acting(self, actor: str) -> Acting:
        return Acting(self, actor)

    def find(
        self,
        session: Session,
        proposal_id: str | None = None,
        actor: str | None = None,
        since: datetime | None = None,
        after: int = 0,
        limit: int = 100,
    ) -> tuple[list[dict[str, Any]], int]:
        """Rows in order of recording, filtered; and the last seq (for `after=`)."""
        t = self.table
        stmt = select(t).where(t.c.seq > after).order_by(t.c.seq).limit(limit)
        if proposal_id is not None:
            stmt = stmt.where(t.c.proposal_id == proposal_id)
        if actor is not None:
            stmt = stmt.where(t.c.actor == actor)
        if since is not None:
            stmt = stmt.where(t.c.recorded_at >= since)
        rows = session.execute(stmt).all()
        return [_json(r) for r in rows], (rows[-1].seq if rows else after)


def _json(row: Any) -> dict[str, Any]:
    body = dict(row._mapping)
    body["recorded_at"] = utc(body["recorded_at"]).isoformat()
    return body


class AuditTrail(DependencyProvider):
    """The service's audit log: workers get the `AuditLog`; the HTTP entrypoint and the
    ingest consumer record refused attempts through `AuditTrail.of(container).refused`.

    Bound, the trail is filed under its class among the container's shared extensions (one
    trail a service), so `of` is a look-up by key, not a search of the container."""

    def __init__(self, audit_log: AuditLog, database: Database) -> None:
        self.log = audit_log
        self.database = database  # the service's, bound to the same instance (grantflow.db)

    def get_dependency(self, worker_ctx: Any) -> AuditLog:
        return self.log

    def bind(self, container: Any, attr_name: str) -> AuditTrail:
        bound = super().bind(container, attr_name)
        container.shared_extensions[AuditTrail] = bound
        return bound

    @classmethod
    def of(cls, container: Any) -> AuditTrail | None:
        """The service's trail, None when it keeps none."""
        found = container.shared_extensions.get(AuditTrail)
        return found if isinstance(found, AuditTrail) else None

    def refused(self, entry: Entry) -> None:
        """Record a refused attempt in a transaction of its own; never fails the caller."""
        try:
            with self.database.new_session() as session:
                self.log.record(session, [entry])
                session.commit()
        except Exception:
            log.exception("could not record a refused attempt in the audit trail")
