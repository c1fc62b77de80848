"""The notifications service's tables. Its alone: no other service reads them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeEngine

from grantflow.audit import AuditLog, audit_table
from grantflow.columns import ident, scope
from grantflow.db import SEQ
from grantflow.journal import Inbox, inbox_table

metadata = MetaData()
TS = DateTime(timezone=True)


def primary_key(**types: TypeEngine[Any]) -> list[Column[Any]]:
    """The columns of a composite primary key, in key order: ``primary_key(a=Integer)``."""
    return [Column(name, type_, primary_key=True) for name, type_ in types.items()]


recipient = Table(
    "notifications_recipient",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=False),
    Column("language", String(2), nullable=False),
    Column("role", String(100), nullable=False),
    Column("provinces", JSON, nullable=False),
    Column("kinds", JSON, nullable=False),
    Column("digest", Boolean, nullable=False),
    Column("origin", String(10), nullable=False),  # api | file
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    UniqueConstraint("email", name="uq_notifications_recipient_email"),
)

alert = Table(
    "notifications_alert",
    metadata,
    Column("fingerprint", String(200), primary_key=True),
    Column("kind", String(40), nullable=False),
    *scope(),
    ident("proposal_id", required=False),
    Column("level", String(10), nullable=False),
    Column("status", String(10), nullable=False),
    Column("episode", Integer, nullable=False),
    Column("version", Integer),
    Column("revision", Integer, nullable=False),
    Column("data", JSON, nullable=False),
    Column("starts_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Column("last_event_id", String(200), nullable=False),
)
Index("ix_notifications_alert_group", alert.c.province, alert.c.status)

# One row per province that has had alerts: Alertmanager's aggregation group and its timer.
group = Table(
    "notifications_group",
    metadata,
    Column("group_key", String(20), primary_key=True),
    Column("due_at", TS),  # when the group must be looked at next; NULL: nothing waits
    Column("updated_at", TS, nullable=False),
)
Index("ix_notifications_group_due", group.c.due_at)

# What each recipient was last told about each group (Alertmanager's notification log).
notice = Table(
    "notifications_notice",
    metadata,
    *primary_key(group_key=String(20), recipient_id=String(36)),
    Column("told", JSON, nullable=False),  # fingerprint -> [episode, level]
    Column("sent_at", TS),
    Column("thread_root", String(250)),
    Column("last_message_id", String(250)),
)

# One row per email. The key makes it once; the row holds the message exactly as it is sent.
delivery = Table(
    "notifications_delivery",
    metadata,
    Column("id", SEQ, primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("recipient_id", String(36), nullable=False),
    Column("window", String(20), nullable=False),
    Column("message_id", String(250), nullable=False),
    Column("kind", String(10), nullable=False),  # firing | resolved | digest
    Column("group_key", String(20)),
    Column("recipient_email", String(320), nullable=False),
    Column("language", String(2), nullable=False),
    Column("subject", String(1000), nullable=False),
    Column("alerts", JSON, nullable=False),  # the fingerprints it tells of
    Column("message", Text, nullable=False),
    Column("status", String(10), nullable=False),  # pending | sent | failed
    Column("attempts", Integer, nullable=False),
    Column("last_error", String(1000)),
    Column("created_at", TS, nullable=False),
    Column("next_attempt_at", TS, nullable=False),
    Column("sent_at", TS),
    UniqueConstraint("fingerprint", "recipient_id", "window", name="uq_notifications_delivery_key"),
    UniqueConstraint("message_id", name="uq_notifications_delivery_message_id"),
)
Index("ix_notifications_delivery_due", delivery.c.status, delivery.c.next_attempt_at)

silence = Table(
    "notifications_silence",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("province", String(2)),
    Column("kind", String(40)),
    Column("starts_at", TS, nullable=False),
    Column("ends_at", TS, nullable=False),
    Column("comment", String(500), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", TS, nullable=False),
)

# What a silence kept from whom: one row per alert episode, recipient and silence.
held = Table(
    "notifications_held",
    metadata,
    *primary_key(
        fingerprint=String(200), recipient_id=String(36), silence_id=String(36), episode=Integer
    ),
    Column("level", String(10), nullable=False),
    Column("held_at", TS, nullable=False),
)

inbox = Inbox(inbox_table(metadata, "notifications"))
audit = AuditLog(audit_table(metadata, "notifications"))
