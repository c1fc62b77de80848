"""The registry's read queries: search, a beneficiary's support history, products, clusters,
collaborator coverage."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from grantflow.db import page
from grantflow.reference import province as province_named
from grantflow.reference import region_members
from registry.adapters.tables import (
    beneficiary,
    cluster,
    collaborators,
    product,
    support,
    support_beneficiary,
)
from registry.domain.coverage import coverage
from registry.domain.measures import hectares
from registry.domain.names import words

PUBLIC_BENEFICIARY = ("beneficiary_id", "kind", "name", "province", "district", "tax_code")


def _beneficiary(row: Any) -> dict[str, Any]:
    body = {k: getattr(row, k) for k in PUBLIC_BENEFICIARY}
    if row.kind == "craft_village":
        body["recognition"] = (
            {
                "decision_no": row.recognition_decision,
                "recognised_on": row.recognised_on.isoformat(),
            }
            if row.recognised_on
            else None
        )
    return body


def search_beneficiaries(
    session: Session,
    filters: dict[str, Any],
    limit: int,
    offset: int,
    provinces: list[str] | None,
) -> tuple[list[dict[str, Any]], int]:
    """`q` matches every folded word of the name (no diacritics needed); the other filters
    (`tax_code`, `province`, `kind`) match exactly."""
    t = beneficiary
    conditions = [
        t.c.search_name.contains(w, autoescape=True) for w in words(filters.get("q") or "")
    ]
    conditions += [t.c[k] == filters[k] for k in ("tax_code", "province", "kind") if filters.get(k)]
    if provinces is not None:
        conditions.append(t.c.province.in_(provinces))
    order = [t.c.search_name, t.c.beneficiary_id]
    rows, total = page(session, t, conditions, order, limit, offset)
    return [_beneficiary(r) for r in rows], total


def beneficiary_detail(session: Session, beneficiary_id: str) -> dict[str, Any] | None:
    """The beneficiary, its typical products and every proposal that supported it."""
    row = session.execute(
        select(beneficiary).where(beneficiary.c.beneficiary_id == beneficiary_id)
    ).first()
    if row is None:
        return None
    body = _beneficiary(row)
    body["products"] = products(session, {"beneficiary_id": beneficiary_id})
    body["support"] = support_history(session, beneficiary_id)
    body["totals"] = {
        k: sum(s[k] or 0 for s in body["support"])
        for k in ("approved_vnd", "contract_vnd", "paid_vnd", "settled_vnd")
    }
    return body


def support_history(session: Session, beneficiary_id: str) -> list[dict[str, Any]]:
    s, link = support, support_beneficiary
    rows = session.execute(
        select(s)
        .join(link, and_(link.c.proposal_id == s.c.proposal_id))
        .where(link.c.beneficiary_id == beneficiary_id)
        .order_by(s.c.year, s.c.proposal_id)
    )
    fields = ("proposal_id", "province", "year", "source_fund", "activity", "title", "state")
    money = ("requested_vnd", "approved_vnd", "contract_vnd", "paid_vnd", "settled_vnd")
    return [
        {**{k: getattr(r, k) for k in (*fields, *money)}, "cluster_id": r.cluster_id} for r in rows
    ]


def province_of(session: Session, beneficiary_id: str | None) -> str | None:
    if not beneficiary_id:
        return None
    found = select(beneficiary.c.province).where(beneficiary.c.beneficiary_id == beneficiary_id)
    return session.execute(found).scalar()


def products(
    session: Session, filters: dict[str, Any], provinces: list[str] | None = None
) -> list[dict[str, Any]]:
    """Awards, filtered by `level`, `year`, `province`, `beneficiary_id`; `provinces` (a
    caller's) bounds the rows whatever the filters."""
    p = product
    conditions = [p.c[k] == v for k, v in filters.items() if v is not None]
    if provinces is not None:
        conditions.append(p.c.province.in_(provinces))
    rows = session.execute(
        select(p).where(*conditions).order_by(p.c.year, p.c.level, p.c.product_id)
    )
    keep = ("product_id", "name", "beneficiary_id", "province", "level", "year", "decision_no")
    return [{k: getattr(r, k) for k in keep} for r in rows]


def clusters(
    session: Session, filters: dict[str, Any], provinces: list[str] | None = None
) -> dict[str, Any]:
    """Clusters by `province` (and `status`), with their total area in hectares."""
    c = cluster
    conditions = [c.c[k] == v for k, v in filters.items() if v is not None]
    if provinces is not None:
        conditions.append(c.c.province.in_(provinces))
    rows = session.execute(
        select(c).where(*conditions).order_by(c.c.province, c.c.cluster_id)
    ).all()
    items = [cluster_item(r) for r in rows]
    return {"items": items, "total_area_ha": hectares(sum(r.area_ha_hundredths for r in rows))}


def cluster_item(r: Any) -> dict[str, Any]:
    """A cluster as the API and the open data show it: its area in hectares, not hundredths."""
    return {
        "cluster_id": r.cluster_id,
        "name": r.name,
        "province": r.province,
        "area_ha": hectares(r.area_ha_hundredths),
        "status": r.status,
        "occupancy_percent": r.occupancy_percent,
    }


def collaborator_coverage(session: Session, region: str, as_of: date) -> dict[str, Any]:
    """Each centre of `region` with its district and commune networks on `as_of`."""
    centres = region_members(region, as_of)
    networks = [dict(r._mapping) for r in session.execute(select(collaborators))]
    body = coverage(centres, networks, as_of)
    for row in body["centres"]:
        found = province_named(row["province"], as_of)
        row["province_name"] = found.name if found else None
    return {"region": region, **body}
