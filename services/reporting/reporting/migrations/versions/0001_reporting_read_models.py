"""The reporting service's read models, levels, notices, dead-letter store, inbox, outbox.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "reporting_dead_letter",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("service", sa.String(length=50), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("type", sa.String(length=200), nullable=True),
        sa.Column("event_id", sa.String(length=200), nullable=True),
        sa.Column("routing_key", sa.String(length=200), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("redriven_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "reporting_inbox",
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", "event_id"),
    )
    op.create_table(
        "reporting_level",
        sa.Column("province", sa.String(length=2), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("source_fund", sa.String(length=10), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("as_of_day", sa.Integer(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("province", "year", "source_fund"),
    )
    op.create_table(
        "reporting_level_history",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("province", sa.String(length=2), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("source_fund", sa.String(length=10), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("previous_level", sa.String(length=10), nullable=False),
        sa.Column("as_of_day", sa.Integer(), nullable=False),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_table(
        "reporting_money",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("proposal_id", sa.String(length=64), nullable=False),
        sa.Column("province", sa.String(length=2), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("source_fund", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("amount_vnd", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index(
        "ix_reporting_money_scope",
        "reporting_money",
        ["year", "province", "kind", "day"],
        unique=False,
    )
    op.create_table(
        "reporting_outbox",
        sa.Column("seq", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_index(
        "ix_reporting_outbox_unpublished",
        "reporting_outbox",
        ["seq"],
        unique=False,
        sqlite_where=sa.text("published_at IS NULL"),
        postgresql_where=sa.text("published_at IS NULL"),
    )
    op.create_table(
        "reporting_overdue_notice",
        sa.Column("proposal_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("as_of_day", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("proposal_id", "reason"),
    )
    op.create_table(
        "reporting_plan",
        sa.Column("province", sa.String(length=2), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("source_fund", sa.String(length=10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("amount_vnd", sa.BigInteger(), nullable=False),
        sa.Column("approved_day", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("province", "year", "source_fund", "version"),
    )
    op.create_table(
        "reporting_progress",
        sa.Column("proposal_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("as_of_day", sa.Integer(), nullable=False),
        sa.Column("percent_complete", sa.Float(), nullable=False),
        sa.Column("outputs", sa.JSON(), nullable=False),
        sa.Column("final", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("proposal_id", "version"),
    )
    op.create_index(
        "ix_reporting_progress_day",
        "reporting_progress",
        ["proposal_id", "as_of_day"],
        unique=False,
    )
    op.create_table(
        "reporting_proposal",
        sa.Column("proposal_id", sa.String(length=64), nullable=False),
        sa.Column("province", sa.String(length=2), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("source_fund", sa.String(length=10), nullable=False),
        sa.Column("activity", sa.String(length=40), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("requested_vnd", sa.BigInteger(), nullable=False),
        sa.Column("approved_vnd", sa.BigInteger(), nullable=True),
        sa.Column("contract_vnd", sa.BigInteger(), nullable=True),
        sa.Column("submitted_day", sa.Integer(), nullable=False),
        sa.Column("approved_day", sa.Integer(), nullable=True),
        sa.Column("signed_day", sa.Integer(), nullable=True),
        sa.Column("accepted_day", sa.Integer(), nullable=True),
        sa.Column("settled_day", sa.Integer(), nullable=True),
        sa.Column("closed_day", sa.Integer(), nullable=True),
        sa.Column("planned_start_day", sa.Integer(), nullable=False),
        sa.Column("planned_end_day", sa.Integer(), nullable=False),
        sa.Column("targets", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("proposal_id"),
    )
    op.create_index(
        "ix_reporting_proposal_scope",
        "reporting_proposal",
        ["year", "province", "source_fund"],
        unique=False,
    )
    op.create_table(
        "reporting_schedule",
        sa.Column("proposal_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("line_index", sa.Integer(), nullable=False),
        sa.Column("due_day", sa.Integer(), nullable=False),
        sa.Column("due_total_vnd", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("proposal_id", "kind", "line_index"),
    )
    op.create_table(
        "reporting_stream",
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("source", "subject"),
    )


def downgrade() -> None:

    op.drop_table("reporting_stream")
    op.drop_table("reporting_schedule")
    op.drop_index("ix_reporting_proposal_scope", table_name="reporting_proposal")
    op.drop_table("reporting_proposal")
    op.drop_index("ix_reporting_progress_day", table_name="reporting_progress")
    op.drop_table("reporting_progress")
    op.drop_table("reporting_plan")
    op.drop_table("reporting_overdue_notice")
    op.drop_index(
        "ix_reporting_outbox_unpublished",
        table_name="reporting_outbox",
        sqlite_where=sa.text("published_at IS NULL"),
        postgresql_where=sa.text("published_at IS NULL"),
    )
    op.drop_table("reporting_outbox")
    op.drop_index("ix_reporting_money_scope", table_name="reporting_money")
    op.drop_table("reporting_money")
    op.drop_table("reporting_level_history")
    op.drop_table("reporting_level")
    op.drop_table("reporting_inbox")
    op.drop_table("reporting_dead_letter")
