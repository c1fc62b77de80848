"""The reporting service's read models, built only from other services' domain events.

Dates are stored as day numbers (`date.toordinal()`) so that the set-based lag evaluation is
plain integer arithmetic on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

from grantflow.audit import AuditLog, audit_table
from grantflow.columns import EVENT_ID, dong, ident, moment, movement, proposal_scope, scope, seq
from grantflow.db import SEQ
from grantflow.journal import Inbox, Outbox, inbox_table, outbox_table

metadata = MetaData()
DAY = Integer  # date.toordinal()


def day(name: str, *, required: bool = True) -> Column[int]:
    """A day as its number (`date.toordinal()`)."""
    return Column(name, DAY, nullable=not required)


def level_table(name: str) -> Table:
    """The warning level of each scope, its version and the evidence of its last evaluation."""
    return Table(
        name,
        metadata,
        *scope(key=True),
        Column("level", String(10), nullable=False),
        Column("version", Integer, nullable=False),
        day("as_of_day"),
        Column("evidence", JSON, nullable=False),
    )


stream = Table(
    "reporting_stream",
    metadata,
    Column("source", String(EVENT_ID), primary_key=True),
    Column("subject", String(200), primary_key=True),
    Column("version", Integer, nullable=False),
)

proposal = Table(
    "reporting_proposal",
    metadata,
    *proposal_scope(),
    Column("title", Text, nullable=False),
    Column("state", String(20), nullable=False),
    dong("requested_vnd", required=True),
    dong("approved_vnd"),
    dong("contract_vnd"),
    day("submitted_day"),
    day("approved_day", required=False),
    day("signed_day", required=False),
    day("accepted_day", required=False),
    day("settled_day", required=False),
    day("closed_day", required=False),  # rejected or cancelled
    day("planned_start_day"),
    day("planned_end_day"),
    Column("targets", JSON, nullable=False),
    Column("has_beneficiary", Integer),  # 1 or 0 as submitted; null before it was recorded
)
Index("ix_reporting_proposal_scope", proposal.c.year, proposal.c.province, proposal.c.source_fund)

progress = Table(
    "reporting_progress",
    metadata,
    ident("proposal_id", key=True),
    Column("version", Integer, primary_key=True),
    day("as_of_day"),
    Column("percent_complete", Float, nullable=False),
    Column("outputs", JSON, nullable=False),
    Column("final", Integer, nullable=False),  # 1 for the outputs recorded at acceptance
)
Index("ix_reporting_progress_day", progress.c.proposal_id, progress.c.as_of_day)

plan = Table(
    "reporting_plan",
    metadata,
    *scope(key=True),
    Column("version", Integer, primary_key=True),
    dong("amount_vnd", required=True),
    day("approved_day"),
)

money = Table(
    "reporting_money",
    metadata,
    # kind: commitment, release, disbursed, repaid; refund_due and owed (changes, signed)
    *movement(),
    day("day"),
)
Index("ix_reporting_money_scope", money.c.year, money.c.province, money.c.kind, money.c.day)
# A cancellation sums what was paid on one proposal: without this, a scan of every payment.
Index("ix_reporting_money_proposal", money.c.proposal_id, money.c.kind)

schedule = Table(
    "reporting_schedule",
    metadata,
    ident("proposal_id", key=True),
    Column("kind", String(10), primary_key=True),  # tranche | repayment
    Column("line_index", Integer, primary_key=True),
    day("due_day"),
    dong("due_total_vnd", required=True),  # cumulative through this line
)

level = level_table("reporting_level")

# Events that arrived late (sent more than `arrivals.LATE_DAYS` after the day they report) or
# out of order (a report or payment dated before one already received): data quality.
arrival = Table(
    "reporting_arrival",
    metadata,
    seq(),
    *scope(),
    ident("proposal_id"),
    Column("type", String(40), nullable=False),
    Column("kind", String(20), nullable=False),  # late | out_of_order
    Column("days", Integer, nullable=False),  # how late, or how far before the latest
)
Index("ix_reporting_arrival_scope", arrival.c.year, arrival.c.province)

# The level of province_forecast_short per scope: announced when it changes, like `level`.
forecast_level = level_table("reporting_forecast_level")

level_history = Table(
    "reporting_level_history",
    metadata,
    seq(),
    *scope(),
    Column("level", String(10), nullable=False),
    Column("previous_level", String(10), nullable=False),
    day("as_of_day"),
    moment("evaluated_at"),
    Column("evidence", JSON, nullable=False),
)

overdue_notice = Table(
    "reporting_overdue_notice",
    metadata,
    ident("proposal_id", key=True),
    Column("reason", String(40), primary_key=True),
    day("as_of_day"),
)

dead_letter = Table(
    "reporting_dead_letter",
    metadata,
    Column("id", SEQ, primary_key=True),
    Column("code", String(100), nullable=False),
    Column("detail", Text, nullable=False),
    Column("service", String(50)),
    Column("source", String(EVENT_ID)),
    Column("type", String(200)),
    Column("event_id", String(EVENT_ID)),
    Column("routing_key", String(200)),
    Column("body", LargeBinary, nullable=False),
    moment("received_at"),
    moment("redriven_at", required=False),
)

# One row (id 1) whose counter the projections raise in every transaction that changes a
# read model: a report computed at one value of it holds while the value stays the same.
watermark = Table(
    "reporting_watermark",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("changes", BigInteger, nullable=False),
)

inbox = Inbox(inbox_table(metadata, "reporting"))
outbox = Outbox(outbox_table(metadata, "reporting"))
audit = AuditLog(audit_table(metadata, "reporting"))
