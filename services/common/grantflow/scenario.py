"""The 2016 southern-region scenario: the conference report's figures, replayed as events.

A seeded, deterministic generator of contract.md lifecycle events for the 20 provinces and
cities of the south (reference grouping `south_2016`: the Southeast, the Mekong Delta and
Lâm Đồng) in 2015 and 2016, up to 30/06/2016. Its plans total exactly what the report says
(2016: 65.54 billion, +1.83% on 64.36; national 28.657 billion, -2.18%; local 36.883 billion
from 20 of 20 provinces, +5.18%; the report truncates to 0.1 billion), and its proposals'
progress gives the first half's outputs: 331 trainees (19.2% of 1,724 planned), 369 people
trained in management, 5 demonstration models, 59 establishments with machinery and 128
("nearly 130") trade-fair participations. Four provinces are plausibly behind: approved
proposals still without a contract, progress reports late, little disbursed.

    python -m grantflow.scenario > var/south-2016.jsonl
"""

from __future__ import annotations

import json
import random
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from grantflow.reference import advance_cap_percent, ceiling_for, region_members

REGION = "south_2016"
AS_OF = date(2016, 6, 30)
SEED = 2016

PLANS = {  # (year, fund) -> total in dong
    (2015, "national"): 29_296_000_000,
    (2015, "local"): 35_067_000_000,
    (2016, "national"): 28_657_000_000,
    (2016, "local"): 36_883_000_000,
}
# First half of 2016: activity -> (measure, achieved, planned or None)
OUTPUTS = {
    "training": ("trainees", 331, 1_724),
    "capacity": ("trainees", 369, None),
    "demonstration": ("models", 5, None),
    "machinery": ("establishments", 59, None),
    "trade_fair": ("participations", 128, None),
}
LAGGING = ("84", "93", "95", "96")  # Trà Vinh, Hậu Giang, Bạc Liêu, Cà Mau
OTHER_ACTIVITIES = (
    "cleaner_production",
    "product_selection",
    "trade_promotion",
    "consultancy",
    "information",
    "linkage",
    "pollution_treatment",
    "international",
    "implementation_capacity",
    "industrial_cluster",
)

CENTRE = "urn:gso:{}:khuyencong-center"
MINISTRY = "urn:moit:arida"
TREASURY = "urn:kbnn:payments"


def _t(day: date, hour: int = 9) -> str:
    return f"{day.isoformat()}T{hour:02d}:00:00+07:00"


def _event(kind: str, source: str, on: date, data: dict[str, Any], seq: list[int]) -> dict:
    seq[0] += 1
    body = {
        "specversion": "1.0",
        "id": f"south2016-{seq[0]:06d}",
        "source": source,
        "type": kind,
        "time": _t(on),
        "datacontenttype": "application/json",
        "data": data,
    }
    if "proposal_id" in data:
        body["subject"] = data["proposal_id"]
    return body


def split(total: int, parts: int, rng: random.Random, floor: int = 1) -> list[int]:
    """`parts` positive integers adding up to `total` exactly."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    shares = [floor + int((total - floor * parts) * w / sum(weights)) for w in weights]
    shares[-1] += total - sum(shares)
    return shares


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


def _plan_events(provinces: list[str], rng: random.Random, seq: list[int]) -> list[dict]:
    out = []
    for (year, fund), total in PLANS.items():
        amounts = [a * 1_000_000 for a in split(total // 1_000_000, len(provinces), rng, 400)]
        for code, amount in zip(provinces, amounts, strict=True):
            out.append(
                _event(
                    "plan.approved",
                    CENTRE.format(code),
                    date(year, 1, 15),
                    {
                        "province": code,
                        "year": year,
                        "source_fund": fund,
                        "amount_vnd": amount,
                        "decision_no": f"{rng.randint(100, 999)}/QĐ-UBND",
                    },
                    seq,
                )
            )
    return out


def _proposals(provinces: list[str], rng: random.Random) -> list[Proposal]:
    """Every activity measured by the report, spread over provinces, plus the others."""
    out: list[Proposal] = []
    counter = {code: 0 for code in provinces}

    def new(
        code: str,
        fund: str,
        activity: str,
        stage: str,
        measure: str | None,
        achieved: int,
        planned: int,
    ) -> None:
        counter[code] += 1
        pid = f"KC{code}-2016-{counter[code]:03d}"
        requested = rng.randrange(150, 450 if fund == "national" else 1_100) * 1_000_000
        counterpart = requested * rng.choice((1, 2, 3))
        if fund == "national":
            ceiling = ceiling_for(activity, fund, date(2016, 3, 1))
            # Lowering the request lowers the total cost too: repeat until it fits.
            while ceiling is not None and requested > ceiling.limit_for(requested + counterpart):
                requested = ceiling.limit_for(requested + counterpart) // 1_000_000 * 1_000_000
        targets = {measure: planned} if measure else {"establishments": rng.randint(1, 5)}
        achieved_map = {measure: achieved} if measure else {}
        out.append(
            Proposal(
                pid, code, fund, activity, requested, counterpart, stage, targets, achieved_map
            )
        )

    for activity, (measure, achieved, planned) in OUTPUTS.items():
        # Outputs come from proposals with progress by 30/06 (never the lagging provinces).
        active = [p for p in provinces if p not in LAGGING]
        hosts = rng.sample(active, k=min(len(active), max(1, min(achieved, 8))))
        got = split(achieved, len(hosts), rng)
        plan_total = planned if planned else achieved * 2
        targets = split(plan_total, len(hosts), rng, floor=max(got))
        for code, n, target in zip(hosts, got, targets, strict=True):
            new(
                code,
                rng.choice(("national", "local")),
                activity,
                rng.choice(("in_progress", "settled_by_june")),
                measure,
                n,
                target,
            )
    for code in provinces:
        behind = code in LAGGING
        for _ in range(rng.randint(3, 5)):
            stage = (
                rng.choice(("approved_only", "approved_only", "appraisal"))
                if behind
                else rng.choice(("in_progress", "contracted_late", "approved_only", "appraisal"))
            )
            new(
                code,
                rng.choice(("national", "local")),
                rng.choice(OTHER_ACTIVITIES),
                stage,
                None,
                0,
                0,
            )
    return out


def _lifecycle(p: Proposal, rng: random.Random, seq: list[int]) -> list[dict]:
    centre = CENTRE.format(p.province)
    submitted = date(2016, 1, 10) + timedelta(days=rng.randint(0, 40))
    start = date(2016, 4, 1) + timedelta(days=rng.randint(0, 20))
    end = date(2016, 11, 30) - timedelta(days=rng.randint(0, 30))
    e = [
        _event(
            "proposal.submitted",
            centre,
            submitted,
            {
                "proposal_id": p.pid,
                "province": p.province,
                "year": 2016,
                "source_fund": p.fund,
                "activity": p.activity,
                "title": f"Đề án khuyến công {p.activity} {p.pid}",
                "requested_vnd": p.requested,
                "planned_start": start.isoformat(),
                "planned_end": end.isoformat(),
                "counterpart_vnd": p.counterpart,
                "targets": p.targets,
                "beneficiary": {"name": f"Cơ sở CNNT {p.pid}", "kind": "household"},
            },
            seq,
        )
    ]
    appraised = submitted + timedelta(days=rng.randint(15, 30))
    e.append(
        _event(
            "proposal.appraised",
            MINISTRY,
            appraised,
            {"proposal_id": p.pid, "score": rng.randint(70, 95), "outcome": "pass"},
            seq,
        )
    )
    if p.stage == "appraisal":
        return e
    approved = appraised + timedelta(days=rng.randint(10, 25))
    if p.stage == "approved_only":
        approved = date(2016, 4, 1) + timedelta(days=rng.randint(0, 40))
    e.append(
        _event(
            "proposal.approved",
            MINISTRY,
            approved,
            {
                "proposal_id": p.pid,
                "approved_vnd": p.requested,
                "approved_on": approved.isoformat(),
                "decision_no": f"{rng.randint(1000, 9999)}/QĐ-BCT",
            },
            seq,
        )
    )
    if p.stage == "approved_only":
        return e
    signed = approved + timedelta(days=rng.randint(5, 20))
    if p.stage == "contracted_late":
        signed = date(2016, 6, 1) + timedelta(days=rng.randint(0, 10))
    first = p.requested * advance_cap_percent(p.activity, signed) // 100
    recoverable = p.province == "68" and p.fund == "local" and p.activity == "machinery"
    contract = {
        "proposal_id": p.pid,
        "contract_no": f"{p.pid}/HĐ-KC",
        "amount_vnd": p.requested,
        "signed_on": signed.isoformat(),
        "recoverable": recoverable,
        "tranches": [
            {"due_on": (signed + timedelta(days=10)).isoformat(), "amount_vnd": first},
            {"due_on": end.isoformat(), "amount_vnd": p.requested - first},
        ],
    }
    if recoverable:
        third = p.requested // 3
        contract["repayments"] = [
            {"due_on": f"{y}-06-30", "amount_vnd": a}
            for y, a in zip(
                (2017, 2018, 2019), (third, third, p.requested - 2 * third), strict=True
            )
        ]
    e.append(_event("contract.signed", MINISTRY, signed, contract, seq))
    paid_on = signed + timedelta(days=rng.randint(3, 9))
    e.append(
        _event(
            "disbursement.made",
            TREASURY,
            paid_on,
            {
                "proposal_id": p.pid,
                "amount_vnd": first,
                "paid_on": paid_on.isoformat(),
                "kind": "advance",
                "voucher_no": f"UNC-{seq[0]:06d}",
            },
            seq,
        )
    )
    reports = [date(2016, m, 20) for m in range(signed.month, 7) if date(2016, m, 20) > signed]
    for n, when in enumerate(reports, 1):
        share = min(100, max(5, int(100 * (when - start).days / max(1, (end - start).days)) + 5))
        last = n == len(reports)
        e.append(
            _event(
                "progress.reported",
                centre,
                when,
                {
                    "proposal_id": p.pid,
                    "as_of": when.isoformat(),
                    "percent_complete": share,
                    "outputs": p.achieved if last else {},
                },
                seq,
            )
        )
    if p.stage == "settled_by_june" and reports:
        accepted = date(2016, 6, 24)
        e.append(
            _event(
                "proposal.accepted",
                centre,
                accepted,
                {"proposal_id": p.pid, "accepted_on": accepted.isoformat(), "outputs": p.achieved},
                seq,
            )
        )
    return e


def build() -> list[dict[str, Any]]:
    """Every event of the scenario, in the order they happened."""
    rng = random.Random(SEED)
    provinces = region_members(REGION, date(2016, 1, 1))
    seq = [0]
    events = _plan_events(provinces, rng, seq)
    for p in _proposals(provinces, rng):
        events += _lifecycle(p, rng, seq)
    return sorted(events, key=lambda e: (e["time"], e["id"]))


def _billions(vnd: int) -> str:
    """As the report writes it: truncated to 0.1 billion, decimal comma (65,5 tỷ đồng)."""
    return f"{vnd // 100_000_000 / 10:.1f}".replace(".", ",") + " tỷ đồng"


def compare(region: dict[str, Any]) -> list[dict[str, Any]]:
    """The report's figures beside what grantflow computed (the regional report, 2016-H1)."""
    funds = {f["source_fund"]: f for f in region["funding"]}
    outputs = {o["activity"]: o for o in region["outputs"]}
    total, national, local = funds["all"], funds["national"], funds["local"]
    plans = region["provinces_with_local_plan"]
    training = outputs["training"]
    rows = [
        (
            "2016 funding approved, 20 provinces",
            "trên 65,5 tỷ đồng",
            _billions(total["amount_vnd"]),
            total["amount_vnd"] >= 65_500_000_000,
        ),
        (
            "change on the 2015 plan",
            "+1,83%",
            f"{total['change_percent']:+.2f}%",
            total["change_percent"] == 1.83,
        ),
        (
            "2015 plan",
            "64,3 tỷ đồng",
            _billions(total["previous_year_vnd"]),
            total["previous_year_vnd"] // 100_000_000 == 643,
        ),
        (
            "national funds (KCQG)",
            "28,6 tỷ đồng",
            _billions(national["amount_vnd"]),
            national["amount_vnd"] // 100_000_000 == 286,
        ),
        (
            "national, change on 2015",
            "-2,18%",
            f"{national['change_percent']:+.2f}%",
            national["change_percent"] == -2.18,
        ),
        (
            "local plans approved",
            "20/20",
            f"{plans['approved']}/{plans['of']}",
            (plans["approved"], plans["of"]) == (20, 20),
        ),
        (
            "local funds (KCĐP)",
            "36,8 tỷ đồng",
            _billions(local["amount_vnd"]),
            local["amount_vnd"] // 100_000_000 == 368,
        ),
        (
            "local, change on 2015",
            "+5,18%",
            f"{local['change_percent']:+.2f}%",
            local["change_percent"] == 5.18,
        ),
        ("vocational trainees, H1", "331", str(training["achieved"]), training["achieved"] == 331),
        (
            "trainees' share of plan",
            "19,2%",
            f"{training['share_percent']}%",
            training["share_percent"] == 19.2,
        ),
        (
            "management and start-up trainees",
            "369",
            str(outputs["capacity"]["achieved"]),
            outputs["capacity"]["achieved"] == 369,
        ),
        (
            "demonstration models",
            "5",
            str(outputs["demonstration"]["achieved"]),
            outputs["demonstration"]["achieved"] == 5,
        ),
        (
            "establishments with machinery",
            "59",
            str(outputs["machinery"]["achieved"]),
            outputs["machinery"]["achieved"] == 59,
        ),
        (
            "trade-fair participations",
            "gần 130",
            str(outputs["trade_fair"]["achieved"]),
            120 <= outputs["trade_fair"]["achieved"] < 130,
        ),
    ]
    return [{"figure": f, "report": r, "grantflow": g, "matches": m} for f, r, g, m in rows]


def main() -> None:
    for event in build():
        sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
