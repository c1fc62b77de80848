"""The registry's lifecycle rules: one function per event type, each returning the change.

A rule takes the record as it stands (None if new), the event's validated data, the day of the
event and a `Lookup` of other records it depends on, and returns the record after the event
with the domain event to announce. It raises `Refused` (never applicable) or `Early` (a record
it names may still arrive: retried).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from grantflow.domain import Early, Refused
from grantflow.reference import province
from registry.domain.measures import hectares, hundredths_of_ha
from registry.domain.names import fold

BENEFICIARY, VILLAGE, PRODUCT, CLUSTER, COLLABORATORS = (
    "beneficiary",
    "craft_village",
    "product",
    "cluster",
    "collaborators",
)


class Lookup(Protocol):
    def beneficiary(self, beneficiary_id: str) -> dict[str, Any] | None: ...

    def tax_code_owner(self, tax_code: str) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Change:
    record: str  # which table: beneficiary, product, cluster, collaborators
    key: tuple[str | int, ...]
    after: dict[str, Any]  # the record's columns after the event (version included)
    event: str  # the domain event's name
    data: dict[str, Any]  # the domain event's data

    @property
    def subject(self) -> str:
        return ":".join(str(k) for k in self.key)


Rule = Callable[[dict[str, Any] | None, dict[str, Any], date, Lookup], Change]


def _known_province(code: str, on: date) -> None:
    if province(code, on) is None:
        raise Refused("unknown_province", f"no province has code {code} on {on}")


def _next(existing: dict[str, Any] | None) -> int:
    return int((existing or {}).get("version", 0)) + 1


def register_beneficiary(
    existing: dict[str, Any] | None, d: dict[str, Any], on: date, lookup: Lookup
) -> Change:
    bid, tax_code = d["beneficiary_id"], d.get("tax_code")
    _known_province(d["province"], on)
    if existing is not None and existing["kind"] != d["kind"]:
        raise Refused(
            "kind_changed", f"beneficiary {bid} is a {existing['kind']}, not a {d['kind']}"
        )
    owner = lookup.tax_code_owner(tax_code) if tax_code else None
    if owner is not None and owner != bid:
        raise Refused("tax_code_taken", f"tax code {tax_code} is already beneficiary {owner}")
    after = {
        **(existing or {}),
        "beneficiary_id": bid,
        "kind": d["kind"],
        "name": d["name"],
        "search_name": fold(d["name"]),
        "province": d["province"],
        "district": d.get("district"),
        "tax_code": tax_code,
        "representative": d.get("representative"),
        "version": _next(existing),
    }
    data = {k: after[k] for k in ("beneficiary_id", "kind", "name", "province", "district")}
    data["tax_code"] = tax_code
    return Change(BENEFICIARY, (bid,), after, "beneficiary_registered", data)


def recognise_village(
    existing: dict[str, Any] | None, d: dict[str, Any], on: date, lookup: Lookup
) -> Change:
    bid = d["beneficiary_id"]
    if existing is None:
        raise Early("unknown_beneficiary", f"craft village {bid} has not been registered")
    if existing["kind"] != VILLAGE:
        raise Refused("not_a_craft_village", f"beneficiary {bid} is a {existing['kind']}")
    after = {
        **existing,
        "recognition_decision": d["decision_no"],
        "recognised_on": date.fromisoformat(d["recognised_on"]),
        "version": _next(existing),
    }
    data = {**d, "province": existing["province"]}
    return Change(BENEFICIARY, (bid,), after, "craft_village_recognised", data)


def award_product(
    existing: dict[str, Any] | None, d: dict[str, Any], on: date, lookup: Lookup
) -> Change:
    _known_province(d["province"], on)
    owner = lookup.beneficiary(d["beneficiary_id"])
    if owner is None:
        raise Early(
            "unknown_beneficiary", f"beneficiary {d['beneficiary_id']} has not been registered"
        )
    key = (d["product_id"], d["year"], d["level"])
    after = {**d, "version": _next(existing)}
    return Change(PRODUCT, key, after, "product_awarded", dict(d))


def register_cluster(
    existing: dict[str, Any] | None, d: dict[str, Any], on: date, lookup: Lookup
) -> Change:
    _known_province(d["province"], on)
    area = hundredths_of_ha(d["area_ha"])
    after = {
        "cluster_id": d["cluster_id"],
        "name": d["name"],
        "province": d["province"],
        "area_ha_hundredths": area,
        "status": d["status"],
        "occupancy_percent": d.get("occupancy_percent"),
        "version": _next(existing),
    }
    data = {**d, "area_ha": hectares(area), "occupancy_percent": d.get("occupancy_percent")}
    return Change(CLUSTER, (d["cluster_id"],), after, "cluster_registered", data)


def report_collaborators(
    existing: dict[str, Any] | None, d: dict[str, Any], on: date, lookup: Lookup
) -> Change:
    _known_province(d["province"], on)
    after = {
        "province": d["province"],
        "level": d["level"],
        "count": d["count"],
        "since": date.fromisoformat(d["since"]),
        "version": _next(existing),
    }
    key = (d["province"], d["level"])
    return Change(COLLABORATORS, key, after, "collaborators_reported", dict(d))


# event type -> (the table it changes, the key of its record in the data, the rule)
RULES: dict[str, tuple[str, tuple[str, ...], Rule]] = {
    "beneficiary.registered": (BENEFICIARY, ("beneficiary_id",), register_beneficiary),
    "craft_village.recognised": (BENEFICIARY, ("beneficiary_id",), recognise_village),
    "product.awarded": (PRODUCT, ("product_id", "year", "level"), award_product),
    "cluster.registered": (CLUSTER, ("cluster_id",), register_cluster),
    "collaborators.reported": (COLLABORATORS, ("province", "level"), report_collaborators),
}
