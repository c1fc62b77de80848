"""Generated multi-year histories of the programme, as reporting's read models hold them.

Each year every province has a plan per fund (approved on 15 January) and proposals filling
about 95% of it: approved from February to September, most contracted 5 to 90 days later (some
never, and cancelled), with an advance tranche ten days after signing and the rest due at the
planned end (October to December). Advances are paid within weeks; the final payments are
back-loaded: most in November and December, some in January before the settlement deadline,
a few later. Each year has its own pace (a year factor stretching every delay), so no two
years look alike and a forecast learnt from earlier years can be wrong in a new one. The
result is on the scale the Ministry of Finance reports: about a third of the plan by mid-year
and about nine tenths by the end of January of the next year.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

FUNDS = ("national", "local")
TABLES = ("plan", "proposal", "schedule", "money")


def _day(d: date) -> int:
    return d.toordinal()


def _clip(d: date, last: date) -> date:
    return d if d <= last else last


def year_rows(
    year: int, provinces: list[str], rng: random.Random, per_scope: int = 24
) -> dict[str, list[dict[str, Any]]]:
    """Every read-model row of one year: plans, proposals, schedules, money."""
    rows: dict[str, list[dict[str, Any]]] = {k: [] for k in TABLES}
    pace = rng.uniform(0.75, 1.35)  # > 1: a slow year, every delay longer
    for code in provinces:
        for fund in FUNDS:
            plan = rng.randrange(2_000, 8_000) * 1_000_000
            rows["plan"].append(
                {
                    "province": code,
                    "year": year,
                    "source_fund": fund,
                    "version": 1,
                    "amount_vnd": plan,
                    "approved_day": _day(date(year, 1, 15)),
                }
            )
            local_pace = pace * rng.uniform(0.85, 1.2)
            amounts = [rng.uniform(0.5, 1.5) for _ in range(per_scope)]
            scale = plan * rng.uniform(0.97, 1.02) / sum(amounts)
            for n, weight in enumerate(amounts, 1):
                pid = f"F{code}{fund[0]}-{year}-{n:03d}"
                amount = int(weight * scale) // 1_000_000 * 1_000_000
                _proposal(rows, pid, code, fund, year, amount, local_pace, rng)
    return rows


def _proposal(
    rows: dict[str, list[dict[str, Any]]],
    pid: str,
    code: str,
    fund: str,
    year: int,
    amount: int,
    pace: float,
    rng: random.Random,
) -> None:
    submitted = date(year, 1, 20) + timedelta(days=int(rng.triangular(0, 200, 40) * pace))
    approved = submitted + timedelta(days=int(rng.uniform(15, 45) * pace))
    approved = _clip(approved, date(year, 10, 15))
    end = date(year, 10, 1) + timedelta(days=rng.randint(0, 85))
    never = rng.random() < 0.03
    signed = None if never else approved + timedelta(days=int(rng.expovariate(1 / 25) * pace) + 5)
    if signed is not None and signed > date(year, 11, 30):
        signed = None  # too late to sign: the money goes back
    row = {
        "proposal_id": pid,
        "province": code,
        "year": year,
        "source_fund": fund,
        "activity": "training",
        "title": pid,
        "state": "contracted" if signed else "cancelled",
        "requested_vnd": amount,
        "approved_vnd": amount,
        "contract_vnd": amount if signed else None,
        "submitted_day": _day(submitted),
        "approved_day": _day(approved),
        "signed_day": _day(signed) if signed else None,
        "accepted_day": None,
        "settled_day": None,
        "closed_day": None if signed else _day(date(year, 12, 1)),
        "planned_start_day": _day(approved + timedelta(days=10)),
        "planned_end_day": _day(end),
        "targets": {},
    }
    rows["proposal"].append(row)
    if signed is None:
        return
    advance = amount * rng.choice((50, 60, 70)) // 100
    due_advance, due_final = signed + timedelta(days=10), max(end, signed + timedelta(days=30))
    for i, (due, total) in enumerate(((due_advance, advance), (due_final, amount))):
        rows["schedule"].append(
            {
                "proposal_id": pid,
                "kind": "tranche",
                "line_index": i,
                "due_day": _day(due),
                "due_total_vnd": total,
            }
        )
    money = {"proposal_id": pid, "province": code, "year": year, "source_fund": fund}
    rows["money"].append(money | {"kind": "commitment", "amount_vnd": amount, "day": _day(signed)})
    paid_advance = signed + timedelta(days=int(rng.expovariate(1 / 12) * pace) + 3)
    advanced = {"kind": "disbursed", "amount_vnd": advance, "day": _day(paid_advance)}
    rows["money"].append(money | advanced)
    final_paid = due_final + timedelta(days=int(rng.expovariate(1 / 20) * pace**2))
    if rng.random() < 0.04 * pace:
        final_paid = date(year + 1, 2, 1) + timedelta(days=rng.randint(0, 90))  # well late
    rows["money"].append(
        money | {"kind": "disbursed", "amount_vnd": amount - advance, "day": _day(final_paid)}
    )
