"""Recipients, alerts, groups, notices, deliveries, silences, what silences held, inbox.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "notifications_recipient",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("role", sa.String(100), nullable=False),
        sa.Column("provinces", sa.JSON, nullable=False),
        sa.Column("kinds", sa.JSON, nullable=False),
        sa.Column("digest", sa.Boolean, nullable=False),
        sa.Column("origin", sa.String(10), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("email", name="uq_notifications_recipient_email"),
    )
    op.create_table(
        "notifications_alert",
        sa.Column("fingerprint", sa.String(200), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("province", sa.String(2), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("source_fund", sa.String(10), nullable=False),
        sa.Column("proposal_id", sa.String(64)),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("episode", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("starts_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("last_event_id", sa.String(200), nullable=False),
    )
    op.create_index("ix_notifications_alert_group", "notifications_alert", ["province", "status"])
    op.create_table(
        "notifications_group",
        sa.Column("group_key", sa.String(20), primary_key=True),
        sa.Column("due_at", TS),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_notifications_group_due", "notifications_group", ["due_at"])
    op.create_table(
        "notifications_notice",
        sa.Column("group_key", sa.String(20), primary_key=True),
        sa.Column("recipient_id", sa.String(36), primary_key=True),
        sa.Column("told", sa.JSON, nullable=False),
        sa.Column("sent_at", TS),
        sa.Column("thread_root", sa.String(250)),
        sa.Column("last_message_id", sa.String(250)),
    )
    op.create_table(
        "notifications_delivery",
        sa.Column("id", SEQ, primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("recipient_id", sa.String(36), nullable=False),
        sa.Column("window", sa.String(20), nullable=False),
        sa.Column("message_id", sa.String(250), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("group_key", sa.String(20)),
        sa.Column("recipient_email", sa.String(320), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("subject", sa.String(1000), nullable=False),
        sa.Column("alerts", sa.JSON, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.String(1000)),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("next_attempt_at", TS, nullable=False),
        sa.Column("sent_at", TS),
        sa.UniqueConstraint(
            "fingerprint", "recipient_id", "window", name="uq_notifications_delivery_key"
        ),
        sa.UniqueConstraint("message_id", name="uq_notifications_delivery_message_id"),
    )
    op.create_index(
        "ix_notifications_delivery_due", "notifications_delivery", ["status", "next_attempt_at"]
    )
    op.create_table(
        "notifications_silence",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("province", sa.String(2)),
        sa.Column("kind", sa.String(40)),
        sa.Column("starts_at", TS, nullable=False),
        sa.Column("ends_at", TS, nullable=False),
        sa.Column("comment", sa.String(500), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "notifications_held",
        sa.Column("fingerprint", sa.String(200), primary_key=True),
        sa.Column("recipient_id", sa.String(36), primary_key=True),
        sa.Column("silence_id", sa.String(36), primary_key=True),
        sa.Column("episode", sa.Integer, primary_key=True),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("held_at", TS, nullable=False),
    )
    op.create_table(
        "notifications_inbox",
        sa.Column("source", sa.String(200), primary_key=True),
        sa.Column("event_id", sa.String(200), primary_key=True),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("received_at", TS, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "notifications_inbox",
        "notifications_held",
        "notifications_silence",
        "notifications_delivery",
        "notifications_notice",
        "notifications_group",
        "notifications_alert",
        "notifications_recipient",
    ):
        op.drop_table(table)
