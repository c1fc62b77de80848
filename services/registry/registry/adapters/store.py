"""Loading and saving registry records, one at a time in the caller's transaction.

Registry events are few (a province registers its establishments once, then changes them
now and then), so a batch is applied event by event: each sees what the ones before it wrote.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, and_, select
from sqlalchemy.orm import Session

from grantflow.db import for_update, insert
from registry.adapters.tables import TABLES, beneficiary


def _where(table: Table, key_columns: tuple[str, ...], key: tuple[Any, ...]) -> Any:
    return and_(*(table.c[c] == v for c, v in zip(key_columns, key, strict=True)))


def load(
    session: Session, record: str, key_columns: tuple[str, ...], key: tuple[Any, ...]
) -> dict[str, Any] | None:
    """The record's columns (row-locked on PostgreSQL), or None."""
    table = TABLES[record]
    query = select(table).where(_where(table, key_columns, key))
    row = session.execute(for_update(session, query)).first()
    if row is None:
        return None
    found = dict(row._mapping)
    found.pop("updated_at", None)
    return found


def save(session: Session, record: str, key_columns: tuple[str, ...], row: dict[str, Any]) -> None:
    """Insert or replace the record in one statement."""
    table = TABLES[record]
    values = {**{c.name: None for c in table.c}, **row, "updated_at": datetime.now(UTC)}
    values = {k: v for k, v in values.items() if k in table.c}
    stmt = insert(session, table).values(values)
    changed = {k: stmt.excluded[k] for k in values if k not in key_columns}
    session.execute(stmt.on_conflict_do_update(index_elements=list(key_columns), set_=changed))


class SessionLookup:
    """`domain.records.Lookup` over the registry's tables."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def beneficiary(self, beneficiary_id: str) -> dict[str, Any] | None:
        row = self.session.execute(
            select(beneficiary).where(beneficiary.c.beneficiary_id == beneficiary_id)
        ).first()
        return dict(row._mapping) if row else None

    def tax_code_owner(self, tax_code: str) -> str | None:
        found = select(beneficiary.c.beneficiary_id).where(beneficiary.c.tax_code == tax_code)
        return self.session.execute(found).scalar()
