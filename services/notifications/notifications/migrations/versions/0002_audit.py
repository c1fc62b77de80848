"""The audit trail: who changed what, when, before and after; refused attempts too.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

PREFIX = "notifications"


def upgrade() -> None:
    table = f"{PREFIX}_audit"
    op.create_table(
        table,
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("source", sa.String(200)),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("action", sa.String(300), nullable=False),
        sa.Column("event_id", sa.String(200)),
        sa.Column("subject", sa.String(200)),
        sa.Column("proposal_id", sa.String(64)),
        sa.Column("before", sa.JSON),
        sa.Column("after", sa.JSON),
        sa.Column("code", sa.String(100)),
        sa.Column("detail", sa.Text),
    )
    op.create_index(f"ix_{table}_proposal", table, ["proposal_id"])
    op.create_index(f"ix_{table}_actor", table, ["actor"])
    op.create_index(f"ix_{table}_recorded", table, ["recorded_at"])


def downgrade() -> None:
    op.drop_table(f"{PREFIX}_audit")
