"""The reporting service's read models, built only from other services' domain events.

Dates are stored as day numbers (`date.toordinal()`) so that the set-based lag evaluation is
plain integer arithmetic on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
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
from grantflow.db import SEQ
from grantflow.journal import Inbox, Outbox, inbox_table, outbox_table

metadata = MetaData()
DAY = Integer  # date.toordinal()

stream = Table(
    "reporting_stream",
    metadata,
    Column("source", String(200), primary_key=True),
    Column("subject", String(200), primary_key=True),
    Column("version", Integer, nullable=False),
)

proposal = Table(
    "reporting_proposal",
    metadata,
    Column("proposal_id", String(64), primary_key=True),
    Column("province", String(2), nullable=False),
    Column("year", Integer, nullable=False),
    Column("source_fund", String(10), nullable=False),
    Column("activity", String(40), nullable=False),
    Column("title", Text, nullable=False),
    Column("state", String(20), nullable=False),
    Column("requested_vnd", BigInteger, nullable=False),
    Column("approved_vnd", BigInteger),
    Column("contract_vnd", BigInteger),
    Column("submitted_day", DAY, nullable=False),
    Column("approved_day", DAY),
    Column("signed_day", DAY),
    Column("accepted_day", DAY),
    Column("settled_day", DAY),
    Column("closed_day", DAY),  # rejected or cancelled
    Column("planned_start_day", DAY, nullable=False),
    Column("planned_end_day", DAY, nullable=False),
    Column("targets", JSON, nullable=False),
    Column("has_beneficiary", Integer),  # 1 or 0 as submitted; null before it was recorded
)
Index("ix_reporting_proposal_scope", proposal.c.year, proposal.c.province, proposal.c.source_fund)

progress = Table(
    "reporting_progress",
    metadata,
    Column("proposal_id", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("as_of_day", DAY, nullable=False),
    Column("percent_complete", Float, nullable=False),
    Column("outputs", JSON, nullable=False),
    Column("final", Integer, nullable=False),  # 1 for the outputs recorded at acceptance
)
Index("ix_reporting_progress_day", progress.c.proposal_id, progress.c.as_of_day)

plan = Table(
    "reporting_plan",
    metadata,
    Column("province", String(2), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("source_fund", String(10), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("amount_vnd", BigInteger, nullable=False),
    Column("approved_day", DAY, nullable=False),
)

money = Table(
    "reporting_money",
    metadata,
    Column("seq", SEQ, primary_key=True),
    Column("proposal_id", String(64), nullable=False),
    Column("province", String(2), nullable=False),
    Column("year", Integer, nullable=False),
    Column("source_fund", String(10), nullable=False),
    # commitment, release, disbursed, repaid; refund_due and owed (changes, signed)
    Column("kind", String(20), nullable=False),
    Column("amount_vnd", BigInteger, nullable=False),
    Column("day", DAY, nullable=False),
)
Index("ix_reporting_money_scope", money.c.year, money.c.province, money.c.kind, money.c.day)
# A cancellation sums what was paid on one proposal: without this, a scan of every payment.
# The forecast reads each proposal's payments of a year from it alone (it covers the rest).
Index(
    "ix_reporting_money_proposal",
    money.c.proposal_id,
    money.c.kind,
    money.c.year,
    postgresql_include=["day", "amount_vnd"],
)

schedule = Table(
    "reporting_schedule",
    metadata,
    Column("proposal_id", String(64), primary_key=True),
    Column("kind", String(10), primary_key=True),  # tranche | repayment
    Column("line_index", Integer, primary_key=True),
    Column("due_day", DAY, nullable=False),
    Column("due_total_vnd", BigInteger, nullable=False),  # cumulative through this line
)
# The forecast's tranches by proposal, from the index alone.
Index(
    "ix_reporting_schedule_due",
    schedule.c.proposal_id,
    schedule.c.kind,
    postgresql_include=["due_day", "due_total_vnd"],
)

level = Table(
    "reporting_level",
    metadata,
    Column("province", String(2), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("source_fund", String(10), primary_key=True),
    Column("level", String(10), nullable=False),
    Column("version", Integer, nullable=False),
    Column("as_of_day", DAY, nullable=False),
    Column("evidence", JSON, nullable=False),
)

# Events that arrived late (sent more than `arrivals.LATE_DAYS` after the day they report) or
# out of order (a report or payment dated before one already received): data quality.
arrival = Table(
    "reporting_arrival",
    metadata,
    Column("seq", SEQ, primary_key=True),
    Column("province", String(2), nullable=False),
    Column("year", Integer, nullable=False),
    Column("source_fund", String(10), nullable=False),
    Column("proposal_id", String(64), nullable=False),
    Column("type", String(40), nullable=False),
    Column("kind", String(20), nullable=False),  # late | out_of_order
    Column("days", Integer, nullable=False),  # how late, or how far before the latest
)
Index("ix_reporting_arrival_scope", arrival.c.year, arrival.c.province)

# The level of province_forecast_short per scope: announced when it changes, like `level`.
forecast_level = Table(
    "reporting_forecast_level",
    metadata,
    Column("province", String(2), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("source_fund", String(10), primary_key=True),
    Column("level", String(10), nullable=False),
    Column("version", Integer, nullable=False),
    Column("as_of_day", DAY, nullable=False),
    Column("evidence", JSON, nullable=False),
)

level_history = Table(
    "reporting_level_history",
    metadata,
    Column("seq", SEQ, primary_key=True),
    Column("province", String(2), nullable=False),
    Column("year", Integer, nullable=False),
    Column("source_fund", String(10), nullable=False),
    Column("level", String(10), nullable=False),
    Column("previous_level", String(10), nullable=False),
    Column("as_of_day", DAY, nullable=False),
    Column("evaluated_at", DateTime(timezone=True), nullable=False),
    Column("evidence", JSON, nullable=False),
)

overdue_notice = Table(
    "reporting_overdue_notice",
    metadata,
    Column("proposal_id", String(64), primary_key=True),
    Column("reason", String(40), primary_key=True),
    Column("as_of_day", DAY, nullable=False),
)

dead_letter = Table(
    "reporting_dead_letter",
    metadata,
    Column("id", SEQ, primary_key=True),
    Column("code", String(100), nullable=False),
    Column("detail", Text, nullable=False),
    Column("service", String(50)),
    Column("source", String(200)),
    Column("type", String(200)),
    Column("event_id", String(200)),
    Column("routing_key", String(200)),
    Column("body", LargeBinary, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("redriven_at", DateTime(timezone=True)),
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
