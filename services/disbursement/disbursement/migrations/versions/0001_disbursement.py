"""Plans (every version), commitments, the append-only ledger, overdue notices, inbox, outbox.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "disbursement_plan",
        sa.Column("province", sa.String(2), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("source_fund", sa.String(10), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("amount_vnd", sa.BigInteger, nullable=False),
        sa.Column("decision_no", sa.String(100)),
        sa.Column("adjusted", sa.Boolean, nullable=False),
        sa.Column("event_id", sa.String(200), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("occurred_at", TS, nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
    )
    op.create_table(
        "disbursement_commitment",
        sa.Column("proposal_id", sa.String(64), primary_key=True),
        sa.Column("province", sa.String(2), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("source_fund", sa.String(10), nullable=False),
        sa.Column("activity", sa.String(40), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("contract_vnd", sa.BigInteger, nullable=False),
        sa.Column("advances_vnd", sa.BigInteger, nullable=False),
        sa.Column("payments_vnd", sa.BigInteger, nullable=False),
        sa.Column("repaid_vnd", sa.BigInteger, nullable=False),
        sa.Column("recoverable", sa.Boolean, nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index(
        "ix_disbursement_commitment_scope", "disbursement_commitment", ["year", "province"]
    )
    op.create_table(
        "disbursement_ledger",
        sa.Column("seq", SEQ, primary_key=True),
        sa.Column("proposal_id", sa.String(64), nullable=False),
        sa.Column("province", sa.String(2), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("source_fund", sa.String(10), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("amount_vnd", sa.BigInteger, nullable=False),
        sa.Column("on", sa.Date, nullable=False),
        sa.Column("voucher_no", sa.String(100)),
        sa.Column("event_id", sa.String(200), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
    )
    op.create_index(
        "ix_disbursement_ledger_scope", "disbursement_ledger", ["year", "province", "kind"]
    )
    op.create_index("ix_disbursement_ledger_proposal", "disbursement_ledger", ["proposal_id"])
    op.create_index(
        "uq_disbursement_ledger_voucher",
        "disbursement_ledger",
        ["proposal_id", "voucher_no"],
        unique=True,
    )
    op.create_table(
        "disbursement_notice",
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("proposal_id", sa.String(64), primary_key=True),
        sa.Column("line_index", sa.Integer, primary_key=True),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("raised_at", TS, nullable=False),
    )
    op.create_table(
        "disbursement_inbox",
        sa.Column("source", sa.String(200), primary_key=True),
        sa.Column("event_id", sa.String(200), primary_key=True),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("received_at", TS, nullable=False),
    )
    op.create_table(
        "disbursement_outbox",
        sa.Column("seq", SEQ, primary_key=True),
        sa.Column("event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("subject", sa.String(200)),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("published_at", TS),
    )
    op.create_index(
        "ix_disbursement_outbox_unpublished",
        "disbursement_outbox",
        ["seq"],
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    )


def downgrade() -> None:
    for table in (
        "disbursement_outbox",
        "disbursement_inbox",
        "disbursement_notice",
        "disbursement_ledger",
        "disbursement_commitment",
        "disbursement_plan",
    ):
        op.drop_table(table)
