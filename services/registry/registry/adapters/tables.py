"""The registry service's tables. Its alone: no other service reads them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Column, Date, Index, Integer, MetaData, String, Table, Text

from grantflow.audit import AuditLog, audit_table
from grantflow.columns import dong, ident, moment, proposal_links, proposal_scope, province, version
from grantflow.journal import Inbox, Outbox, inbox_table, outbox_table

metadata = MetaData()


def record(name: str, *columns: Column[Any]) -> Table:
    """A registry record: its columns, then its version and when it last changed."""
    return Table(name, metadata, *columns, version(), moment("updated_at"))


beneficiary = record(
    "registry_beneficiary",
    ident("beneficiary_id", key=True),
    Column("kind", String(20), nullable=False),
    Column("name", Text, nullable=False),
    Column("search_name", Text, nullable=False),  # domain.names.fold(name)
    province(),
    Column("district", String(200)),
    Column("tax_code", String(14)),
    Column("representative", String(200)),  # personal data: never published
    Column("recognition_decision", String(100)),
    Column("recognised_on", Date),
)
Index("ix_registry_beneficiary_tax_code", beneficiary.c.tax_code, unique=True)
Index("ix_registry_beneficiary_province", beneficiary.c.province, beneficiary.c.kind)

product = record(
    "registry_product",
    ident("product_id", key=True),
    Column("year", Integer, primary_key=True),
    Column("level", String(10), primary_key=True),
    Column("name", Text, nullable=False),
    ident("beneficiary_id"),
    province(),
    Column("decision_no", String(100), nullable=False),
)
Index("ix_registry_product_level_year", product.c.level, product.c.year)
Index("ix_registry_product_beneficiary", product.c.beneficiary_id)

cluster = record(
    "registry_cluster",
    ident("cluster_id", key=True),
    Column("name", Text, nullable=False),
    province(),
    Column("area_ha_hundredths", BigInteger, nullable=False),  # 1/100 ha = 100 m²
    Column("status", String(10), nullable=False),
    Column("occupancy_percent", Integer),
)
Index("ix_registry_cluster_province", cluster.c.province)

collaborators = record(
    "registry_collaborators",
    province(key=True),
    Column("level", String(10), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("since", Date, nullable=False),
)

# Support received, built from the proposals' and disbursement's domain events.
support = Table(
    "registry_support",
    metadata,
    *proposal_scope(),
    Column("title", Text),
    Column("planned_start", String(10)),  # ISO dates, as proposal_submitted carries them
    Column("planned_end", String(10)),
    Column("state", String(20)),
    version(),
    ident("cluster_id", required=False),
    dong("requested_vnd"),
    dong("approved_vnd"),
    dong("contract_vnd"),
    dong("paid_vnd", required=True),
    dong("settled_vnd"),
)
Index("ix_registry_support_scope", support.c.province, support.c.year, support.c.source_fund)

support_beneficiary = proposal_links(
    metadata, "registry_support_beneficiary", "beneficiary_id", "ix_registry_support_beneficiary"
)

TABLES = {
    "beneficiary": beneficiary,
    "product": product,
    "cluster": cluster,
    "collaborators": collaborators,
}

inbox = Inbox(inbox_table(metadata, "registry"))
outbox = Outbox(outbox_table(metadata, "registry"))
audit = AuditLog(audit_table(metadata, "registry"))
