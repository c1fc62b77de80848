"""Registry lifecycle events as promotion centres send them (contracts/examples)."""

from __future__ import annotations

from typing import Any

from grantflow_tools.samples import CENTRE, event


def beneficiary(bid: str, name: str, kind: str = "enterprise", **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"beneficiary_id": bid, "kind": kind, "name": name, "province": "74"}
    if kind in ("enterprise", "cooperative"):
        data["tax_code"] = bid.removeprefix("MST-")
    return event("beneficiary.registered", {**data, **over}, source=CENTRE)


def village_recognised(bid: str, on: str = "2016-05-10") -> dict[str, Any]:
    data = {"beneficiary_id": bid, "decision_no": "1234/QĐ-UBND", "recognised_on": on}
    return event("craft_village.recognised", data, source=CENTRE)


def product(pid: str, bid: str, level: str, year: int = 2016, **over: Any) -> dict[str, Any]:
    data = {
        "product_id": pid,
        "name": f"Sản phẩm {pid}",
        "beneficiary_id": bid,
        "province": "74",
        "level": level,
        "year": year,
        "decision_no": "2210/QĐ-UBND",
    }
    return event("product.awarded", {**data, **over}, source=CENTRE)


def cluster(cid: str, area: str, province: str = "74", **over: Any) -> dict[str, Any]:
    data = {"cluster_id": cid, "name": f"Cụm công nghiệp {cid}", "province": province}
    data |= {"area_ha": area, "status": "operating", **over}
    return event("cluster.registered", data, source=CENTRE)


def collaborators(province: str, level: str, count: int, since: str) -> dict[str, Any]:
    data = {"province": province, "level": level, "count": count, "since": since}
    return event("collaborators.reported", data, source=f"urn:gso:{province}:khuyencong-center")
