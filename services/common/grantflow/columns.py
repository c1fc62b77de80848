"""The columns every service's tables share, in the domain's words.

Like `journal.inbox_table` and `audit.audit_table`, these build the same column the same way
wherever a service keeps the same fact: the scope of a plan (province, year, fund), a
proposal's id, an amount in dong, a moment. Each call returns new `Column` objects (a column
belongs to one table). The types are the schema's: changing one here is a migration.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, MetaData, String, Table

from grantflow.db import SEQ

PROVINCE = 2  # a GSO code: "74"
FUND = 10  # national | local
ACTIVITY = 40  # an activity's code
ID = 64  # a proposal's, a beneficiary's, a product's id
EVENT_ID = 200  # a CloudEvent's id or source, as systems send them


def province(*, key: bool = False, required: bool = True) -> Column[Any]:
    """A province's GSO code: part of the key, required or optional."""
    return Column("province", String(PROVINCE), primary_key=key, nullable=not (key or required))


def scope(*, key: bool = False) -> tuple[Column[Any], ...]:
    """province, year, source_fund (`grantflow.domain.Scope`): part of the primary key, or
    required."""
    return (
        province(key=key),
        Column("year", Integer, primary_key=key, nullable=False),
        Column("source_fund", String(FUND), primary_key=key, nullable=False),
    )


def ident(name: str, *, key: bool = False, required: bool = True) -> Column[Any]:
    """An id such as `proposal_id` or `beneficiary_id`: the key, required or optional."""
    return Column(name, String(ID), primary_key=key, nullable=not (key or required))


def dong(name: str, *, required: bool = False) -> Column[Any]:
    """An amount in dong (an integer; `*_vnd`)."""
    return Column(name, BigInteger, nullable=not required)


def moment(name: str, *, required: bool = True) -> Column[Any]:
    """A point in time, with its time zone (`*_at`)."""
    return Column(name, DateTime(timezone=True), nullable=not required)


def version() -> Column[Any]:
    """The version of the row's thing, required."""
    return Column("version", Integer, nullable=False)


def seq() -> Column[Any]:
    """An append-only table's key, in order of insertion."""
    return Column("seq", SEQ, primary_key=True)


def event_id(*, required: bool = True) -> Column[Any]:
    """The id of the CloudEvent that wrote the row."""
    return Column("event_id", String(EVENT_ID), nullable=not required)


def source() -> Column[Any]:
    """The `source` of the CloudEvent that wrote the row, required."""
    return Column("source", String(EVENT_ID), nullable=False)


def proposal_scope(*, key: bool = True) -> tuple[Column[Any], ...]:
    """Where a proposal stands: its id (the key, or required), its scope and its activity
    (a code of Decree 45/2012, Art. 4)."""
    return (
        ident("proposal_id", key=key),
        *scope(),
        Column("activity", String(ACTIVITY), nullable=False),
    )


def movement() -> tuple[Column[Any], ...]:
    """One movement of a proposal's money, in order: seq, proposal_id, scope, its kind and its
    amount in dong."""
    return (
        seq(),
        ident("proposal_id"),
        *scope(),
        Column("kind", String(20), nullable=False),
        dong("amount_vnd", required=True),
    )


def proposal_links(metadata: MetaData, name: str, other: str, index: str) -> Table:
    """A proposal and the things it names (`other`, e.g. `beneficiary_id`), one row a pair,
    indexed by the thing (whose proposals?)."""
    table = Table(name, metadata, ident("proposal_id", key=True), ident(other, key=True))
    Index(index, table.c[other])
    return table
