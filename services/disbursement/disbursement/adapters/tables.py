"""The disbursement service's tables. Its alone: no other service reads them."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Date, Index, Integer, MetaData, String, Table

from grantflow.audit import AuditLog, audit_table
from grantflow.columns import (
    dong,
    event_id,
    ident,
    moment,
    movement,
    proposal_scope,
    scope,
    source,
    version,
)
from grantflow.journal import Inbox, Outbox, inbox_table, outbox_table

metadata = MetaData()

plan = Table(
    "disbursement_plan",
    metadata,
    *scope(key=True),
    Column("version", Integer, primary_key=True),
    dong("amount_vnd", required=True),
    Column("decision_no", String(100)),
    Column("adjusted", Boolean, nullable=False),
    event_id(),
    source(),
    moment("occurred_at"),
    moment("recorded_at"),
)

commitment = Table(
    "disbursement_commitment",
    metadata,
    *proposal_scope(),
    Column("stage", String(20), nullable=False),
    version(),
    dong("contract_vnd", required=True),
    dong("advances_vnd", required=True),
    dong("payments_vnd", required=True),
    dong("repaid_vnd", required=True),
    Column("recoverable", Boolean, nullable=False),
    Column("detail", JSON, nullable=False),
    moment("updated_at"),
)
Index("ix_disbursement_commitment_scope", commitment.c.year, commitment.c.province)

ledger = Table(
    "disbursement_ledger",
    metadata,
    *movement(),
    Column("on", Date, nullable=False),
    Column("voucher_no", String(100)),
    event_id(),
    moment("recorded_at"),
)
Index("ix_disbursement_ledger_scope", ledger.c.year, ledger.c.province, ledger.c.kind)
Index("ix_disbursement_ledger_proposal", ledger.c.proposal_id)
# The last line of defence against the costliest bug: one voucher, one payment per proposal.
Index("uq_disbursement_ledger_voucher", ledger.c.proposal_id, ledger.c.voucher_no, unique=True)

notice = Table(
    "disbursement_notice",
    metadata,
    Column("kind", String(20), primary_key=True),  # tranche_overdue | repayment_overdue
    ident("proposal_id", key=True),
    Column("line_index", Integer, primary_key=True),
    Column("as_of", Date, nullable=False),
    moment("raised_at"),
)

inbox = Inbox(inbox_table(metadata, "disbursement"))
outbox = Outbox(outbox_table(metadata, "disbursement"))
audit = AuditLog(audit_table(metadata, "disbursement"))
