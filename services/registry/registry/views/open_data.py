"""The rows of each open-data resource, read from the registry's tables in a fixed order, and
the package built from them (`domain.open_data`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grantflow.reference import province
from registry.adapters.tables import beneficiary, cluster, product, support
from registry.domain.open_data import FILES, RESOURCES, Rows, package
from registry.views.records import cluster_item

__all__ = ["FILES", "build"]

# Establishments whose name and tax code are public (a business register's); a household
# business is a person's, so neither is published.
PUBLIC_KINDS = ("enterprise", "cooperative", "craft_village")


def build(session: Session) -> dict[str, bytes]:
    """Every file of the package, by file name."""
    return package({name: rows(session) for name, rows in READERS.items()})


def province_name(code: str, year: int) -> str:
    found = province(code, date(year, 7, 1))
    return found.name if found else ""


def _public(resource: str, rows: Iterable[Any], derived: Callable[[Any], dict[str, Any]]) -> Rows:
    """Each row as the resource's fields: a column of the same name, or derived from it."""
    columns = RESOURCES[resource].columns
    out = []
    for row in rows:
        extra = derived(row)
        out.append({c: extra[c] if c in extra else getattr(row, c) for c in columns})
    return out


def _named(row: Any) -> dict[str, Any]:
    return {"province_name": province_name(row.province, row.year)}


def proposals(session: Session) -> Rows:
    s = support
    rows = session.execute(select(s).order_by(s.c.year, s.c.province, s.c.proposal_id))
    return _public("proposals", rows, _named)


def awards(session: Session) -> Rows:
    s = support
    query = select(s).where(s.c.approved_vnd.is_not(None))
    rows = session.execute(query.order_by(s.c.year, s.c.province, s.c.proposal_id))
    return _public("awards", rows, _named)


def payments(session: Session) -> Rows:
    s = support
    query = (
        select(
            s.c.year,
            s.c.province,
            s.c.source_fund,
            func.count().label("proposals"),
            func.coalesce(func.sum(s.c.approved_vnd), 0).label("approved_vnd"),
            func.coalesce(func.sum(s.c.paid_vnd), 0).label("paid_vnd"),
        )
        .group_by(s.c.year, s.c.province, s.c.source_fund)
        .order_by(s.c.year, s.c.province, s.c.source_fund)
    )
    return _public(
        "payments",
        session.execute(query),
        lambda r: {**_named(r), "approved_vnd": int(r.approved_vnd), "paid_vnd": int(r.paid_vnd)},
    )


def products(session: Session) -> Rows:
    p, b = product, beneficiary
    query = (
        select(p, b.c.kind, b.c.name.label("owner"), b.c.tax_code)
        .outerjoin(b, b.c.beneficiary_id == p.c.beneficiary_id)
        .order_by(p.c.year, p.c.level, p.c.product_id)
    )

    def establishment(r: Any) -> dict[str, Any]:
        public = r.kind in PUBLIC_KINDS
        return {
            "establishment": r.owner if public else None,
            "establishment_tax_code": r.tax_code if public else None,
        }

    return _public("products", session.execute(query), establishment)


def clusters(session: Session) -> Rows:
    c = cluster
    rows = session.execute(select(c).order_by(c.c.province, c.c.cluster_id))
    return _public("clusters", rows, cluster_item)


READERS: dict[str, Callable[[Session], Rows]] = {
    "proposals": proposals,
    "awards": awards,
    "payments": payments,
    "products": products,
    "clusters": clusters,
}
