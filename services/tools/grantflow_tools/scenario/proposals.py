"""The scenario's proposals: those whose progress gives the report's outputs, and the others."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from grantflow.reference import ceiling_for
from grantflow_tools.scenario.report import LAGGING, OTHER_ACTIVITIES, OUTPUTS, split


@dataclass
class Proposal:
    pid: str
    province: str
    fund: str
    activity: str
    requested: int
    counterpart: int
    stage: str  # settled_by_june | in_progress | contracted_late | approved_only | appraisal
    targets: dict[str, int]
    achieved: dict[str, int]


class _ProposalIds:
    """Numbers each province's proposals in turn: KC<code>-2016-001, -002, ..."""

    def __init__(self, provinces: list[str]) -> None:
        self._last = {code: 0 for code in provinces}

    def next(self, code: str) -> str:
        self._last[code] += 1
        return f"KC{code}-2016-{self._last[code]:03d}"


def proposals_for(provinces: list[str], rng: random.Random) -> list[Proposal]:
    """Every activity measured by the report, spread over provinces, plus the others."""
    ids = _ProposalIds(provinces)
    return _measured_proposals(provinces, rng, ids) + _other_proposals(provinces, rng, ids)


def _measured_proposals(
    provinces: list[str], rng: random.Random, ids: _ProposalIds
) -> list[Proposal]:
    """The proposals whose outputs by 30/06 add up to the report's first-half outputs."""
    out: list[Proposal] = []
    for activity, (measure, achieved, planned) in OUTPUTS.items():
        # Outputs come from proposals with progress by 30/06 (never the lagging provinces).
        active = [p for p in provinces if p not in LAGGING]
        hosts = rng.sample(active, k=min(len(active), max(1, min(achieved, 8))))
        got = split(achieved, len(hosts), rng)
        plan_total = planned if planned else achieved * 2
        targets = split(plan_total, len(hosts), rng, floor=max(got))
        for code, n, target in zip(hosts, got, targets, strict=True):
            fund = rng.choice(("national", "local"))
            stage = rng.choice(("in_progress", "settled_by_june"))
            out.append(
                _proposal(ids.next(code), code, fund, activity, stage, rng, measure, n, target)
            )
    return out


def _other_proposals(provinces: list[str], rng: random.Random, ids: _ProposalIds) -> list[Proposal]:
    """3 to 5 more a province in other activities; a lagging province's get no contract."""
    out: list[Proposal] = []
    for code in provinces:
        behind = code in LAGGING
        for _ in range(rng.randint(3, 5)):
            stage = (
                rng.choice(("approved_only", "approved_only", "appraisal"))
                if behind
                else rng.choice(("in_progress", "contracted_late", "approved_only", "appraisal"))
            )
            fund = rng.choice(("national", "local"))
            activity = rng.choice(OTHER_ACTIVITIES)
            out.append(_proposal(ids.next(code), code, fund, activity, stage, rng, None, 0, 0))
    return out


def _proposal(
    pid: str,
    code: str,
    fund: str,
    activity: str,
    stage: str,
    rng: random.Random,
    measure: str | None,
    achieved: int,
    planned: int,
) -> Proposal:
    requested, counterpart = _funding(fund, activity, rng)
    targets = {measure: planned} if measure else {"establishments": rng.randint(1, 5)}
    achieved_map = {measure: achieved} if measure else {}
    return Proposal(pid, code, fund, activity, requested, counterpart, stage, targets, achieved_map)


def _funding(fund: str, activity: str, rng: random.Random) -> tuple[int, int]:
    """The amount requested and the counterpart funds; a national request within its ceiling."""
    requested = rng.randrange(150, 450 if fund == "national" else 1_100) * 1_000_000
    counterpart = requested * rng.choice((1, 2, 3))
    if fund == "national":
        ceiling = ceiling_for(activity, fund, date(2016, 3, 1))
        # Lowering the request lowers the total cost too: repeat until it fits.
        while ceiling is not None and requested > ceiling.limit_for(requested + counterpart):
            requested = ceiling.limit_for(requested + counterpart) // 1_000_000 * 1_000_000
    return requested, counterpart
