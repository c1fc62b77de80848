"""The read models' change counter (for the report cache), and payments by proposal.

Revision ID: 0003
Revises: 0002
"""

import time

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    watermark = op.create_table(
        "reporting_watermark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("changes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # Starts from the clock, so that a new database never repeats a value an old one had.
    op.bulk_insert(watermark, [{"id": 1, "changes": time.time_ns() // 1000}])
    op.create_index(
        "ix_reporting_money_proposal", "reporting_money", ["proposal_id", "kind"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_reporting_money_proposal", table_name="reporting_money")
    op.drop_table("reporting_watermark")
