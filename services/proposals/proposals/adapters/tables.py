"""The proposals service's tables. Its alone: no other service reads them."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, MetaData, String, Table, Text

from grantflow.audit import AuditLog, audit_table
from grantflow.columns import (
    dong,
    event_id,
    ident,
    moment,
    proposal_links,
    proposal_scope,
    seq,
    source,
    version,
)
from grantflow.journal import Inbox, Outbox, inbox_table, outbox_table

metadata = MetaData()

proposal = Table(
    "proposals_proposal",
    metadata,
    *proposal_scope(),
    Column("state", String(20), nullable=False),
    version(),
    Column("title", Text, nullable=False),
    dong("requested_vnd", required=True),
    dong("approved_vnd"),
    dong("contract_vnd"),
    Column("detail", JSON, nullable=False),
    moment("created_at"),
    moment("updated_at"),
)
Index("ix_proposals_proposal_scope", proposal.c.province, proposal.c.year, proposal.c.source_fund)
Index("ix_proposals_proposal_state", proposal.c.state)

history = Table(
    "proposals_history",
    metadata,
    seq(),
    ident("proposal_id"),
    version(),
    event_id(),
    source(),
    Column("type", String(100), nullable=False),
    moment("occurred_at"),
    moment("recorded_at"),
    Column("state_before", String(20)),
    Column("state_after", String(20), nullable=False),
    Column("domain_event_id", String(64), nullable=False),
)
Index("ix_proposals_history_proposal", history.c.proposal_id, history.c.version, unique=True)

# The registry ids a proposal names (proposal.submitted's beneficiary_ids): the double-support
# check at appraisal looks a beneficiary's proposals up here (issue 15).
beneficiary = proposal_links(
    metadata, "proposals_beneficiary", "beneficiary_id", "ix_proposals_beneficiary_beneficiary"
)

inbox = Inbox(inbox_table(metadata, "proposals"))
outbox = Outbox(outbox_table(metadata, "proposals"))
audit = AuditLog(audit_table(metadata, "proposals"))
