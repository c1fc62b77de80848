"""The forecast's payments and tranches read from their indexes alone: payments by proposal
cover the year, day and amount; tranches by proposal cover the due day and running total.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_reporting_money_proposal", table_name="reporting_money")
    op.create_index(
        "ix_reporting_money_proposal",
        "reporting_money",
        ["proposal_id", "kind", "year"],
        postgresql_include=["day", "amount_vnd"],
    )
    op.create_index(
        "ix_reporting_schedule_due",
        "reporting_schedule",
        ["proposal_id", "kind"],
        postgresql_include=["due_day", "due_total_vnd"],
    )


def downgrade() -> None:
    op.drop_index("ix_reporting_schedule_due", table_name="reporting_schedule")
    op.drop_index("ix_reporting_money_proposal", table_name="reporting_money")
    op.create_index("ix_reporting_money_proposal", "reporting_money", ["proposal_id", "kind"])
