"""The proposals service's tables. Its alone: no other service reads them."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from grantflow.audit import AuditLog, audit_table
from grantflow.db import SEQ
from grantflow.journal import Inbox, Outbox, inbox_table, outbox_table

metadata = MetaData()

proposal = Table(
    "proposals_proposal",
    metadata,
    Column("proposal_id", String(64), primary_key=True),
    Column("province", String(2), nullable=False),
    Column("year", Integer, nullable=False),
    Column("source_fund", String(10), nullable=False),
    Column("activity", String(40), nullable=False),
    Column("state", String(20), nullable=False),
    Column("version", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("requested_vnd", BigInteger, nullable=False),
    Column("approved_vnd", BigInteger),
    Column("contract_vnd", BigInteger),
    Column("detail", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
Index("ix_proposals_proposal_scope", proposal.c.province, proposal.c.year, proposal.c.source_fund)
Index("ix_proposals_proposal_state", proposal.c.state)

history = Table(
    "proposals_history",
    metadata,
    Column("seq", SEQ, primary_key=True),
    Column("proposal_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("event_id", String(200), nullable=False),
    Column("source", String(200), nullable=False),
    Column("type", String(100), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("state_before", String(20)),
    Column("state_after", String(20), nullable=False),
    Column("domain_event_id", String(64), nullable=False),
)
Index("ix_proposals_history_proposal", history.c.proposal_id, history.c.version, unique=True)

# The registry ids a proposal names (proposal.submitted's beneficiary_ids): the double-support
# check at appraisal looks a beneficiary's proposals up here (issue 15).
beneficiary = Table(
    "proposals_beneficiary",
    metadata,
    Column("proposal_id", String(64), primary_key=True),
    Column("beneficiary_id", String(64), primary_key=True),
)
Index("ix_proposals_beneficiary_beneficiary", beneficiary.c.beneficiary_id)

inbox = Inbox(inbox_table(metadata, "proposals"))
outbox = Outbox(outbox_table(metadata, "proposals"))
audit = AuditLog(audit_table(metadata, "proposals"))
