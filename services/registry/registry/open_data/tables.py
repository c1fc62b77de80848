"""The rows of each open-data table, read from the registry's tables, in a fixed order."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grantflow.reference import province
from registry.adapters.tables import beneficiary, cluster, product, support
from registry.domain.measures import hectares

# Establishments whose name and tax code are public (a business register's); a household
# business is a person's, so neither is published.
PUBLIC_KINDS = ("enterprise", "cooperative", "craft_village")


def province_name(code: str, year: int) -> str:
    found = province(code, date(year, 7, 1))
    return found.name if found else ""


def proposals(session: Session) -> list[dict[str, Any]]:
    s = support
    rows = session.execute(select(s).order_by(s.c.year, s.c.province, s.c.proposal_id))
    return [
        {
            "proposal_id": r.proposal_id,
            "year": r.year,
            "province": r.province,
            "province_name": province_name(r.province, r.year),
            "source_fund": r.source_fund,
            "activity": r.activity,
            "title": r.title,
            "state": r.state,
            "planned_start": r.planned_start,
            "planned_end": r.planned_end,
            "requested_vnd": r.requested_vnd,
        }
        for r in rows
    ]


def awards(session: Session) -> list[dict[str, Any]]:
    s = support
    query = select(s).where(s.c.approved_vnd.is_not(None))
    rows = session.execute(query.order_by(s.c.year, s.c.province, s.c.proposal_id))
    return [
        {
            "proposal_id": r.proposal_id,
            "year": r.year,
            "province": r.province,
            "source_fund": r.source_fund,
            "activity": r.activity,
            "approved_vnd": r.approved_vnd,
            "contract_vnd": r.contract_vnd,
            "settled_vnd": r.settled_vnd,
        }
        for r in rows
    ]


def payments(session: Session) -> list[dict[str, Any]]:
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
    return [
        {
            "year": r.year,
            "province": r.province,
            "province_name": province_name(r.province, r.year),
            "source_fund": r.source_fund,
            "proposals": r.proposals,
            "approved_vnd": int(r.approved_vnd),
            "paid_vnd": int(r.paid_vnd),
        }
        for r in session.execute(query)
    ]


def products(session: Session) -> list[dict[str, Any]]:
    p, b = product, beneficiary
    query = (
        select(p, b.c.kind, b.c.name.label("owner"), b.c.tax_code)
        .outerjoin(b, b.c.beneficiary_id == p.c.beneficiary_id)
        .order_by(p.c.year, p.c.level, p.c.product_id)
    )
    out = []
    for r in session.execute(query):
        public = r.kind in PUBLIC_KINDS
        out.append(
            {
                "product_id": r.product_id,
                "name": r.name,
                "year": r.year,
                "level": r.level,
                "province": r.province,
                "decision_no": r.decision_no,
                "establishment": r.owner if public else None,
                "establishment_tax_code": r.tax_code if public else None,
            }
        )
    return out


def clusters(session: Session) -> list[dict[str, Any]]:
    c = cluster
    rows = session.execute(select(c).order_by(c.c.province, c.c.cluster_id))
    return [
        {
            "cluster_id": r.cluster_id,
            "name": r.name,
            "province": r.province,
            "area_ha": hectares(r.area_ha_hundredths),
            "status": r.status,
            "occupancy_percent": r.occupancy_percent,
        }
        for r in rows
    ]
