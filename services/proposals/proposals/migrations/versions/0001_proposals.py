"""Proposals, their history, inbox and outbox.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BIGINT_PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "proposals_proposal",
        sa.Column("proposal_id", sa.String(64), primary_key=True),
        sa.Column("province", sa.String(2), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("source_fund", sa.String(10), nullable=False),
        sa.Column("activity", sa.String(40), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("requested_vnd", sa.BigInteger, nullable=False),
        sa.Column("approved_vnd", sa.BigInteger),
        sa.Column("contract_vnd", sa.BigInteger),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index(
        "ix_proposals_proposal_scope", "proposals_proposal", ["province", "year", "source_fund"]
    )
    op.create_index("ix_proposals_proposal_state", "proposals_proposal", ["state"])
    op.create_table(
        "proposals_history",
        sa.Column("seq", BIGINT_PK, primary_key=True),
        sa.Column("proposal_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("event_id", sa.String(200), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("occurred_at", TS, nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.Column("state_before", sa.String(20)),
        sa.Column("state_after", sa.String(20), nullable=False),
        sa.Column("domain_event_id", sa.String(64), nullable=False),
    )
    op.create_index(
        "ix_proposals_history_proposal",
        "proposals_history",
        ["proposal_id", "version"],
        unique=True,
    )
    op.create_table(
        "proposals_inbox",
        sa.Column("source", sa.String(200), primary_key=True),
        sa.Column("event_id", sa.String(200), primary_key=True),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("received_at", TS, nullable=False),
    )
    op.create_table(
        "proposals_outbox",
        sa.Column("seq", BIGINT_PK, primary_key=True),
        sa.Column("event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("subject", sa.String(200)),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("published_at", TS),
    )
    op.create_index(
        "ix_proposals_outbox_unpublished",
        "proposals_outbox",
        ["seq"],
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    )


def downgrade() -> None:
    for table in ("proposals_outbox", "proposals_inbox", "proposals_history"):
        op.drop_table(table)
    op.drop_table("proposals_proposal")
