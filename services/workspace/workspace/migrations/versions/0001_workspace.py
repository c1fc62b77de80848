"""The workspace owns no tables: its first revision is empty, so that it migrates, versions
and ships like every other service (`grantflow migrate`).

Revision ID: 0001
Revises:
"""

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
