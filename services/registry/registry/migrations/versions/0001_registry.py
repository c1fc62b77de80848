"""The registry: beneficiaries, typical products, clusters, collaborators, support received;
its inbox, outbox and audit trail.

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
P = "registry"


def upgrade() -> None:
    op.create_table(
        f"{P}_beneficiary",
        sa.Column("beneficiary_id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("search_name", sa.Text, nullable=False),
        sa.Column("province", sa.String(2), nullable=False),
        sa.Column("district", sa.String(200)),
        sa.Column("tax_code", sa.String(14)),
        sa.Column("representative", sa.String(200)),
        sa.Column("recognition_decision", sa.String(100)),
        sa.Column("recognised_on", sa.Date),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index(f"ix_{P}_beneficiary_tax_code", f"{P}_beneficiary", ["tax_code"], unique=True)
    op.create_index(f"ix_{P}_beneficiary_province", f"{P}_beneficiary", ["province", "kind"])
    op.create_table(
        f"{P}_product",
        sa.Column("product_id", sa.String(64), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("level", sa.String(10), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("beneficiary_id", sa.String(64), nullable=False),
        sa.Column("province", sa.String(2), nullable=False),
        sa.Column("decision_no", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index(f"ix_{P}_product_level_year", f"{P}_product", ["level", "year"])
    op.create_index(f"ix_{P}_product_beneficiary", f"{P}_product", ["beneficiary_id"])
    op.create_table(
        f"{P}_cluster",
        sa.Column("cluster_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("province", sa.String(2), nullable=False),
        sa.Column("area_ha_hundredths", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("occupancy_percent", sa.Integer),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index(f"ix_{P}_cluster_province", f"{P}_cluster", ["province"])
    op.create_table(
        f"{P}_collaborators",
        sa.Column("province", sa.String(2), primary_key=True),
        sa.Column("level", sa.String(10), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("since", sa.Date, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        f"{P}_support",
        sa.Column("proposal_id", sa.String(64), primary_key=True),
        sa.Column("province", sa.String(2), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("source_fund", sa.String(10), nullable=False),
        sa.Column("activity", sa.String(40), nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("planned_start", sa.String(10)),
        sa.Column("planned_end", sa.String(10)),
        sa.Column("state", sa.String(20)),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("cluster_id", sa.String(64)),
        sa.Column("requested_vnd", sa.BigInteger),
        sa.Column("approved_vnd", sa.BigInteger),
        sa.Column("contract_vnd", sa.BigInteger),
        sa.Column("paid_vnd", sa.BigInteger, nullable=False),
        sa.Column("settled_vnd", sa.BigInteger),
    )
    op.create_index(f"ix_{P}_support_scope", f"{P}_support", ["province", "year", "source_fund"])
    op.create_table(
        f"{P}_support_beneficiary",
        sa.Column("proposal_id", sa.String(64), primary_key=True),
        sa.Column("beneficiary_id", sa.String(64), primary_key=True),
    )
    op.create_index(f"ix_{P}_support_beneficiary", f"{P}_support_beneficiary", ["beneficiary_id"])
    _journal()


def _journal() -> None:
    """Inbox, outbox and audit trail, as every service has them (grantflow.journal, .audit)."""
    op.create_table(
        f"{P}_inbox",
        sa.Column("source", sa.String(200), primary_key=True),
        sa.Column("event_id", sa.String(200), primary_key=True),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("received_at", TS, nullable=False),
    )
    op.create_table(
        f"{P}_outbox",
        sa.Column("seq", BIGINT_PK, primary_key=True),
        sa.Column("event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("subject", sa.String(200)),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("published_at", TS),
    )
    op.create_index(
        f"ix_{P}_outbox_unpublished",
        f"{P}_outbox",
        ["seq"],
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    )
    audit = f"{P}_audit"
    op.create_table(
        audit,
        sa.Column("seq", BIGINT_PK, primary_key=True),
        sa.Column("recorded_at", TS, nullable=False),
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
    op.create_index(f"ix_{audit}_proposal", audit, ["proposal_id"])
    op.create_index(f"ix_{audit}_actor", audit, ["actor"])
    op.create_index(f"ix_{audit}_recorded", audit, ["recorded_at"])


def downgrade() -> None:
    for name in ("audit", "outbox", "inbox", "support_beneficiary", "support"):
        op.drop_table(f"{P}_{name}")
    for name in ("collaborators", "cluster", "product", "beneficiary"):
        op.drop_table(f"{P}_{name}")
