"""The scenario's registry: the establishments the proposals support, typical products,
industrial clusters and the promotion centres' collaborator networks.

The collaborator networks are the report's: "6/20 centres built a district- or commune-level
collaborator network (Long An, An Giang, Bà Rịa - Vũng Tàu, Bình Dương, Tây Ninh, Vĩnh
Long); 2/20 (Bà Rịa - Vũng Tàu, Bình Dương) a commune-level one". An Giang's 11 district
collaborators are the report's; the other counts and dates are illustrative. Establishments,
products and clusters are invented, drawn from a random source of their own so that the
proposals' events stay exactly as they were.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date
from typing import Any

from grantflow_tools.scenario.events import CENTRE, cloud_event
from grantflow_tools.scenario.proposals import Proposal
from grantflow_tools.scenario.report import SEED

# province -> its networks on 30/06/2016: (level, collaborators, since)
NETWORKS = {
    "80": [("district", 15, "2015-03-01")],  # Long An
    "89": [("district", 11, "2015-06-01")],  # An Giang: "11 nhân sự"
    "77": [("district", 8, "2014-07-01"), ("commune", 82, "2015-10-01")],  # Bà Rịa - Vũng Tàu
    "74": [("district", 9, "2014-05-01"), ("commune", 91, "2015-07-01")],  # Bình Dương
    "72": [("district", 9, "2015-09-01")],  # Tây Ninh
    "86": [("district", 8, "2016-01-15")],  # Vĩnh Long
}
KINDS = ("household_business", "cooperative", "enterprise", "household_business")
CRAFTS = ("dệt may", "sơn mài", "mây tre đan", "gốm", "chế biến hạt điều", "cơ khí", "mộc")
PLACES = ("Đông Hòa", "Tân Uyên", "Phú Hòa", "Long Điền", "Thạnh Phú", "Mỹ Xuyên", "Châu Đốc")
REGISTERED = date(2015, 6, 1)  # before any award or proposal


def beneficiary_id(p: Proposal) -> str:
    """The establishment a scenario proposal supports: one each, so none is flagged twice."""
    return f"CS-{p.pid}"


def registry_events(provinces: list[str], proposals: Iterable[Proposal]) -> list[dict]:
    """Every registry event of the scenario, numbered apart from the proposals' events."""
    rng, seq, out = random.Random(SEED + 15), [0], []
    owners: dict[str, list[str]] = {code: [] for code in provinces}
    for n, p in enumerate(proposals):
        data = _establishment(p, n, rng)
        owners[p.province].append(data["beneficiary_id"])
        out.append(_event("beneficiary.registered", p.province, REGISTERED, data, seq))
    for code in provinces:
        out += _products(code, owners[code], rng, seq) + _clusters(code, rng, seq)
        for level, count, since in NETWORKS.get(code, []):
            data = {"province": code, "level": level, "count": count, "since": since}
            out.append(_event("collaborators.reported", code, date(2016, 2, 1), data, seq))
    return out


def _event(kind: str, code: str, on: date, data: dict[str, Any], seq: list[int]) -> dict:
    event = cloud_event(kind, CENTRE.format(code), on, data, seq)
    event["id"] = event["id"].replace("south2016-", "south2016-registry-")
    return event


def _establishment(p: Proposal, n: int, rng: random.Random) -> dict[str, Any]:
    kind = KINDS[n % len(KINDS)]
    label = {"household_business": "Cơ sở", "cooperative": "Hợp tác xã", "enterprise": "Công ty"}
    name = f"{label[kind]} {rng.choice(CRAFTS)} {rng.choice(PLACES)} {n + 1}"
    data = {"beneficiary_id": beneficiary_id(p), "kind": kind, "name": name}
    data["province"] = p.province
    if kind != "household_business":
        data["tax_code"] = f"{p.province}{n + 1:08d}"
    return data


def _products(code: str, owners: list[str], rng: random.Random, seq: list[int]) -> list[dict]:
    """One or two awarded products a province: province level in 2015; some regional in 2016."""
    out = []
    for k, owner in enumerate(owners[: rng.randint(1, 2)]):
        for year, level in ((2015, "province"), (2016, "region")):
            if level == "region" and rng.random() < 0.6:
                continue
            data = {
                "product_id": f"SP-{code}-{k + 1:02d}",
                "name": f"Sản phẩm tiêu biểu {code}-{k + 1}",
                "beneficiary_id": owner,
                "province": code,
                "level": level,
                "year": year,
                "decision_no": f"{rng.randint(100, 999)}/QĐ-UBND",
            }
            awarded = date(year, 11, 20) if year == 2015 else date(2016, 5, 20)
            out.append(_event("product.awarded", code, awarded, data, seq))
    return out


def _clusters(code: str, rng: random.Random, seq: list[int]) -> list[dict]:
    out = []
    for k in range(rng.randint(1, 3)):
        status = rng.choice(("planned", "operating"))
        data: dict[str, Any] = {
            "cluster_id": f"CCN-{code}-{k + 1:02d}",
            "name": f"Cụm công nghiệp {rng.choice(PLACES)} {k + 1}",
            "province": code,
            "area_ha": f"{rng.randint(1000, 7500) / 100:.2f}".rstrip("0").rstrip("."),
            "status": status,
        }
        if status == "operating":
            data["occupancy_percent"] = rng.randint(20, 95)
        out.append(_event("cluster.registered", code, date(2016, 1, 5), data, seq))
    return out


def compare_collaborators(coverage: dict[str, Any]) -> list[dict[str, Any]]:
    """The report's two collaborator figures beside the registry's coverage on 30/06/2016."""
    of = coverage["of"]
    rows = [
        ("centres with collaborator networks", "6/20", coverage["with_network"], 6),
        ("centres with commune-level officers", "2/20", coverage["with_commune_network"], 2),
    ]
    return [
        {"figure": f, "report": r, "grantflow": f"{n}/{of}", "matches": (n, of) == (want, 20)}
        for f, r, n, want in rows
    ]
