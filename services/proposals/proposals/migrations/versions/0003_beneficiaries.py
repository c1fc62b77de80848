"""The registry ids each proposal names, for the double-support check at appraisal.

Revision ID: 0003_beneficiaries
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_beneficiaries"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "proposals_beneficiary",
        sa.Column("proposal_id", sa.String(64), primary_key=True),
        sa.Column("beneficiary_id", sa.String(64), primary_key=True),
    )
    op.create_index(
        "ix_proposals_beneficiary_beneficiary", "proposals_beneficiary", ["beneficiary_id"]
    )


def downgrade() -> None:
    op.drop_table("proposals_beneficiary")
