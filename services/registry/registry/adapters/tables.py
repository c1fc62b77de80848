"""The registry service's tables. Its alone: no other service reads them."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from grantflow.audit import AuditLog, audit_table
from grantflow.journal import Inbox, Outbox, inbox_table, outbox_table

metadata = MetaData()
TS = DateTime(timezone=True)

beneficiary = Table(
    "registry_beneficiary",
    metadata,
    Column("beneficiary_id", String(64), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("name", Text, nullable=False),
    Column("search_name", Text, nullable=False),  # domain.names.fold(name)
    Column("province", String(2), nullable=False),
    Column("district", String(200)),
    Column("tax_code", String(14)),
    Column("representative", String(200)),  # personal data: never published
    Column("recognition_decision", String(100)),
    Column("recognised_on", Date),
    Column("version", Integer, nullable=False),
    Column("updated_at", TS, nullable=False),
)
Index("ix_registry_beneficiary_tax_code", beneficiary.c.tax_code, unique=True)
Index("ix_registry_beneficiary_province", beneficiary.c.province, beneficiary.c.kind)

product = Table(
    "registry_product",
    metadata,
    Column("product_id", String(64), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("level", String(10), primary_key=True),
    Column("name", Text, nullable=False),
    Column("beneficiary_id", String(64), nullable=False),
    Column("province", String(2), nullable=False),
    Column("decision_no", String(100), nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", TS, nullable=False),
)
Index("ix_registry_product_level_year", product.c.level, product.c.year)
Index("ix_registry_product_beneficiary", product.c.beneficiary_id)

cluster = Table(
    "registry_cluster",
    metadata,
    Column("cluster_id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("province", String(2), nullable=False),
    Column("area_ha_hundredths", BigInteger, nullable=False),  # 1/100 ha = 100 m²
    Column("status", String(10), nullable=False),
    Column("occupancy_percent", Integer),
    Column("version", Integer, nullable=False),
    Column("updated_at", TS, nullable=False),
)
Index("ix_registry_cluster_province", cluster.c.province)

collaborators = Table(
    "registry_collaborators",
    metadata,
    Column("province", String(2), primary_key=True),
    Column("level", String(10), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("since", Date, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", TS, nullable=False),
)

# Support received, built from the proposals' and disbursement's domain events.
support = Table(
    "registry_support",
    metadata,
    Column("proposal_id", String(64), primary_key=True),
    Column("province", String(2), nullable=False),
    Column("year", Integer, nullable=False),
    Column("source_fund", String(10), nullable=False),
    Column("activity", String(40), nullable=False),
    Column("title", Text),
    Column("planned_start", String(10)),  # ISO dates, as proposal_submitted carries them
    Column("planned_end", String(10)),
    Column("state", String(20)),
    Column("version", Integer, nullable=False),
    Column("cluster_id", String(64)),
    Column("requested_vnd", BigInteger),
    Column("approved_vnd", BigInteger),
    Column("contract_vnd", BigInteger),
    Column("paid_vnd", BigInteger, nullable=False),
    Column("settled_vnd", BigInteger),
)
Index("ix_registry_support_scope", support.c.province, support.c.year, support.c.source_fund)

support_beneficiary = Table(
    "registry_support_beneficiary",
    metadata,
    Column("proposal_id", String(64), primary_key=True),
    Column("beneficiary_id", String(64), primary_key=True),
)
Index("ix_registry_support_beneficiary", support_beneficiary.c.beneficiary_id)

TABLES = {
    "beneficiary": beneficiary,
    "product": product,
    "cluster": cluster,
    "collaborators": collaborators,
}

inbox = Inbox(inbox_table(metadata, "registry"))
outbox = Outbox(outbox_table(metadata, "registry"))
audit = AuditLog(audit_table(metadata, "registry"))
