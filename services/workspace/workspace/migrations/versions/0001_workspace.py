"""The workspace owns no tables: its one revision changes nothing, so that it migrates,
versions and ships like every other service (`grantflow migrate`). Revision ID: 0001."""

revision, down_revision = "0001", None
branch_labels = depends_on = None


def upgrade() -> None:
    """Nothing to create."""


def downgrade() -> None:
    """Nothing to drop."""
