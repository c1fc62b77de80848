"""Every event of the scenario, in the order they happened: plans first, then each proposal's."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from grantflow.reference import region_members
from grantflow_tools.scenario.events import CENTRE, cloud_event
from grantflow_tools.scenario.lifecycle import lifecycle_events
from grantflow_tools.scenario.proposals import proposals_for
from grantflow_tools.scenario.registry import registry_events
from grantflow_tools.scenario.report import PLANS, REGION, SEED, split


def build() -> list[dict[str, Any]]:
    """Every event of the scenario, in the order they happened."""
    rng = random.Random(SEED)
    provinces = region_members(REGION, date(2016, 1, 1))
    seq = [0]
    events = plan_events(provinces, rng, seq)
    proposals = proposals_for(provinces, rng)
    for p in proposals:
        events += lifecycle_events(p, rng, seq)
    events += registry_events(provinces, proposals)
    return sorted(events, key=lambda e: (e["time"], e["id"]))


def plan_events(provinces: list[str], rng: random.Random, seq: list[int]) -> list[dict]:
    """Each province's approved plan for 2015 and 2016, national and local, adding up to the
    report's totals (no province below 400 million)."""
    out = []
    for (year, fund), total in PLANS.items():
        amounts = [a * 1_000_000 for a in split(total // 1_000_000, len(provinces), rng, 400)]
        for code, amount in zip(provinces, amounts, strict=True):
            data = {
                "province": code,
                "year": year,
                "source_fund": fund,
                "amount_vnd": amount,
                "decision_no": f"{rng.randint(100, 999)}/QĐ-UBND",
            }
            centre, approved_on = CENTRE.format(code), date(year, 1, 15)
            out.append(cloud_event("plan.approved", centre, approved_on, data, seq))
    return out
