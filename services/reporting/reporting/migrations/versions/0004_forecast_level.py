"""The level of each province's forecast warning (province_forecast_short); for data
quality, late and out-of-order arrivals and whether a proposal came with its beneficiary.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reporting_forecast_level",
        sa.Column("province", sa.String(2), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("source_fund", sa.String(10), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("as_of_day", sa.Integer(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("province", "year", "source_fund"),
    )
    op.create_table(
        "reporting_arrival",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("province", sa.String(2), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("source_fund", sa.String(10), nullable=False),
        sa.Column("proposal_id", sa.String(64), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index("ix_reporting_arrival_scope", "reporting_arrival", ["year", "province"])
    op.add_column("reporting_proposal", sa.Column("has_beneficiary", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("reporting_proposal", "has_beneficiary")
    op.drop_index("ix_reporting_arrival_scope", table_name="reporting_arrival")
    op.drop_table("reporting_arrival")
    op.drop_table("reporting_forecast_level")
