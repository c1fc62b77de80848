"""The disbursement service's tables. Its alone: no other service reads them."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
)

from grantflow.audit import AuditLog, audit_table
from grantflow.db import SEQ
from grantflow.journal import Inbox, Outbox, inbox_table, outbox_table

metadata = MetaData()

plan = Table(
    "disbursement_plan",
    metadata,
    Column("province", String(2), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("source_fund", String(10), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("amount_vnd", BigInteger, nullable=False),
    Column("decision_no", String(100)),
    Column("adjusted", Boolean, nullable=False),
    Column("event_id", String(200), nullable=False),
    Column("source", String(200), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

commitment = Table(
    "disbursement_commitment",
    metadata,
    Column("proposal_id", String(64), primary_key=True),
    Column("province", String(2), nullable=False),
    Column("year", Integer, nullable=False),
    Column("source_fund", String(10), nullable=False),
    Column("activity", String(40), nullable=False),
    Column("stage", String(20), nullable=False),
    Column("version", Integer, nullable=False),
    Column("contract_vnd", BigInteger, nullable=False),
    Column("advances_vnd", BigInteger, nullable=False),
    Column("payments_vnd", BigInteger, nullable=False),
    Column("repaid_vnd", BigInteger, nullable=False),
    Column("recoverable", Boolean, nullable=False),
    Column("detail", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
Index("ix_disbursement_commitment_scope", commitment.c.year, commitment.c.province)

ledger = Table(
    "disbursement_ledger",
    metadata,
    Column("seq", SEQ, primary_key=True),
    Column("proposal_id", String(64), nullable=False),
    Column("province", String(2), nullable=False),
    Column("year", Integer, nullable=False),
    Column("source_fund", String(10), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("amount_vnd", BigInteger, nullable=False),
    Column("on", Date, nullable=False),
    Column("voucher_no", String(100)),
    Column("event_id", String(200), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)
Index("ix_disbursement_ledger_scope", ledger.c.year, ledger.c.province, ledger.c.kind)
Index("ix_disbursement_ledger_proposal", ledger.c.proposal_id)
# The last line of defence against the costliest bug: one voucher, one payment per proposal.
Index("uq_disbursement_ledger_voucher", ledger.c.proposal_id, ledger.c.voucher_no, unique=True)

notice = Table(
    "disbursement_notice",
    metadata,
    Column("kind", String(20), primary_key=True),  # tranche_overdue | repayment_overdue
    Column("proposal_id", String(64), primary_key=True),
    Column("line_index", Integer, primary_key=True),
    Column("as_of", Date, nullable=False),
    Column("raised_at", DateTime(timezone=True), nullable=False),
)

inbox = Inbox(inbox_table(metadata, "disbursement"))
outbox = Outbox(outbox_table(metadata, "disbursement"))
audit = AuditLog(audit_table(metadata, "disbursement"))
