"""Synthetic read models for bench/reporting.py, as the projections would have written them.

Each proposal gets a lifecycle drawn from a seeded generator: submitted between November of
the year before and September of its year, appraised, then rejected, approved and cancelled,
or approved and signed; a signed contract gets a commitment, a tranche schedule, an advance,
monthly progress reports, acceptance near its planned end, a final payment and settlement
(some late, some with money released); recoverable machinery contracts of the local fund get
quarterly repayments. A few provinces are slow at everything. Nothing after NOW exists, so
the latest proposals are still under way. Rows are written as COPY text, one chunk at a time.
"""

from __future__ import annotations

import bisect
import io
import random
from dataclasses import dataclass, field
from datetime import date

NOW = date(2017, 3, 31).toordinal()  # the data describe the programme as it stood on this day
NULL = r"\N"
ACTIVITIES = (
    "training",
    "training",
    "capacity",
    "demonstration",
    "machinery",
    "machinery",
    "trade_fair",
    "product_selection",
    "cleaner_production",
    "consultancy",
    "linkage",
    "information",
)
MEASURE = {
    "training": "trainees",
    "capacity": "trainees",
    "demonstration": "models",
    "machinery": "establishments",
    "trade_fair": "participations",
}
# Month starts as ordinals, January 2014 to December 2018: progress reports fall on the
# 18th-25th of each month from the month of signing.
MONTHS = [date(y, m, 1).toordinal() for y in range(2014, 2019) for m in range(1, 13)]

PROPOSAL_COLUMNS = (
    "proposal_id, province, year, source_fund, activity, title, state, requested_vnd,"
    " approved_vnd, contract_vnd, submitted_day, approved_day, signed_day, accepted_day,"
    " settled_day, closed_day, planned_start_day, planned_end_day, targets"
)
PROGRESS_COLUMNS = "proposal_id, version, as_of_day, percent_complete, outputs, final"
MONEY_COLUMNS = "proposal_id, province, year, source_fund, kind, amount_vnd, day"
SCHEDULE_COLUMNS = "proposal_id, kind, line_index, due_day, due_total_vnd"


@dataclass
class Chunk:
    proposal: io.StringIO = field(default_factory=io.StringIO)
    progress: io.StringIO = field(default_factory=io.StringIO)
    money: io.StringIO = field(default_factory=io.StringIO)
    schedule: io.StringIO = field(default_factory=io.StringIO)
    rows: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("proposal", "progress", "money", "schedule"), 0)
    )
    events: int = 0
    # Approved amounts per (province, fund, year): the plans are drawn around them.
    approved: dict[tuple[str, str, int], int] = field(default_factory=dict)
    # Disbursed by 30 June of the proposal's year, per (province, fund, year).
    midyear: dict[tuple[str, str, int], int] = field(default_factory=dict)


def province_slots(codes: list[str], seed: int) -> list[str]:
    """1000 slots, each province taking a share by a seeded weight (0.4 to 2.5)."""
    rng = random.Random(seed)
    weights = [rng.uniform(0.4, 2.5) for _ in codes]
    total = sum(weights)
    slots: list[str] = []
    for code, w in zip(codes, weights, strict=True):
        slots += [code] * max(1, round(1000 * w / total))
    return (slots + slots)[:1000]


def generate(
    first: int, last: int, seed: int, slots: list[str], slow: set[str], events_per_proposal: int
) -> Chunk:
    """Proposals number `first` to `last - 1` and everything the projections derived."""
    rng = random.Random(seed)
    r = rng.random
    ri = rng.randint
    out = Chunk()
    pw = out.proposal.write
    events = 0
    approved_sums = out.approved
    # Longer planned periods mean more monthly reports: the knob for events per proposal.
    mean = 30 * max(1, events_per_proposal - 9) + 15
    dur_lo, dur_hi = max(30, mean - 15), mean + 40
    y_start = {2015: date(2015, 1, 1).toordinal(), 2016: date(2016, 1, 1).toordinal()}
    for i in range(first, last):
        pid = f"BR{i:07d}"
        year = 2015 if r() < 0.5 else 2016
        y0 = y_start[year]
        prov = slots[int(r() * 1000)]
        lag = prov in slow
        fund = "national" if r() < 0.65 else "local"
        activity = ACTIVITIES[int(r() * len(ACTIVITIES))]
        measure = MEASURE.get(activity, "establishments")
        target = ri(1, 5) if measure == "establishments" else ri(10, 120)
        requested = ri(150, 1_050) * 1_000_000
        sub = y0 - 61 + int(r() * 333)
        ps = sub + 45 + int(r() * 30)
        pe = ps + ri(dur_lo, dur_hi)
        appraised = sub + ri(10, 30)
        events += 2  # submitted, appraised
        approved_day = signed = accepted = settled = closed = NULL
        approved_vnd = contract_vnd = NULL
        state = "in_appraisal"
        x = r()
        if x < 0.07:
            closed = appraised + ri(5, 20)
            state = "rejected"
            events += 1
        else:
            a = appraised + ri(5, 25) + (ri(15, 60) if lag else 0)
            if a <= NOW:
                approved_day = a
                state = "approved"
                av = requested * ri(80, 100) // 100 // 1_000_000 * 1_000_000
                approved_vnd = av
                events += 1
                key = (prov, fund, year)
                approved_sums[key] = approved_sums.get(key, 0) + av
                if x < 0.10:
                    c = a + ri(20, 90)
                    if c <= NOW:
                        closed, state = c, "cancelled"
                        events += 1
                else:
                    s = a + (ri(25, 90) if r() < 0.06 else ri(3, 28)) + (ri(10, 40) if lag else 0)
                    if s <= NOW:
                        signed, contract_vnd, state = s, av, "contracted"
                        events += 2  # contract_signed, commitment_recorded
                        n, state, accepted, settled, closed = _contract(
                            rng,
                            pid,
                            f"{prov}\t{year}\t{fund}",
                            fund == "local" and activity == "machinery",
                            key,
                            y0 + 180,  # 30 June (29 June in 2016)
                            av,
                            s,
                            ps,
                            pe,
                            lag,
                            target,
                            measure,
                            out,
                        )
                        events += n
        pw(
            f"{pid}\t{prov}\t{year}\t{fund}\t{activity}\tĐề án khuyến công {activity} {pid}"
            f"\t{state}\t{requested}\t{approved_vnd}\t{contract_vnd}\t{sub}\t{approved_day}"
            f'\t{signed}\t{accepted}\t{settled}\t{closed}\t{ps}\t{pe}\t{{"{measure}": {target}}}\n'
        )
    out.rows["proposal"] = last - first
    out.events = events
    return out


def _contract(
    rng: random.Random,
    pid: str,
    scope: str,
    recoverable: bool,
    key: tuple[str, str, int],
    midyear: int,
    amount: int,
    signed: int,
    ps: int,
    pe: int,
    lag: bool,
    target: int,
    measure: str,
    out: Chunk,
) -> tuple[int, str, object, object, object]:
    """Schedule, money and progress of one signed contract.

    Returns its events and its (state, accepted_day, settled_day, closed_day) as of NOW.
    """
    r, ri = rng.random, rng.randint
    gw, mw, sw = out.progress.write, out.money.write, out.schedule.write
    events = 0
    mw(f"{pid}\t{scope}\tcommitment\t{amount}\t{signed}\n")
    money = 1
    # The tranche schedule: an advance due ten days after signing, the rest 30 days after the
    # planned end (or after signing, for a contract signed that late).
    advance = amount * ri(30, 50) // 100 // 1_000_000 * 1_000_000
    final_due = max(pe, signed) + 30
    sw(f"{pid}\ttranche\t0\t{signed + 10}\t{advance}\n{pid}\ttranche\t1\t{final_due}\t{amount}\n")
    sched = 2
    paid = 0
    pay_day = signed + (ri(5, 45) if lag else ri(2, 9))
    if pay_day <= NOW:
        mw(f"{pid}\t{scope}\tdisbursed\t{advance}\t{pay_day}\n")
        money += 1
        events += 1
        paid = advance
        if pay_day <= midyear:
            out.midyear[key] = out.midyear.get(key, 0) + advance
    # Progress: on course (pace about 1), behind (pace 0.4-0.8), or slow province.
    x = r()
    pace = rng.uniform(0.4, 0.8) if lag or x < 0.06 else rng.uniform(0.95, 1.25)
    span = max(1, pe - ps)
    done = ps + int(span / pace) + ri(-10, 10)  # when the work reaches 100%
    cancel = signed + ri(30, 120) if r() < 0.02 else None
    end_reports = min(done, NOW, cancel or NOW)
    k = bisect.bisect_right(MONTHS, signed) - 1  # from the month of signing
    version = 4
    prog = 0
    while k < len(MONTHS):
        day = MONTHS[k] + ri(17, 24)
        k += 1
        if day > end_reports:
            break
        if day <= signed:
            continue
        if r() < (0.15 if lag else 0.02):  # a month without a report
            continue
        version += 1
        pct = min(99.0, max(0.0, round(100.0 * pace * (day - ps) / span, 1)))
        gw(f"{pid}\t{version}\t{day}\t{pct}\t{{}}\t0\n")
        prog += 1
    events += prog
    state, accepted, settled, closed = ("in_progress" if prog else "contracted"), NULL, NULL, NULL
    if cancel is not None and cancel <= min(done, NOW):
        closed, state = cancel, "cancelled"
        events += 1
        if amount > paid:
            mw(f"{pid}\t{scope}\trelease\t{amount - paid}\t{cancel}\n")
            money += 1
    elif done <= NOW:
        accepted, state = done, "accepted"
        version += 1
        achieved = max(0, int(target * rng.uniform(0.8, 1.1)))
        gw(f'{pid}\t{version}\t{done}\t100.0\t{{"{measure}": {achieved}}}\t1\n')
        prog += 1
        events += 1
        final_day = done + (ri(1, 8) if r() < 0.93 else ri(30, 120))
        spent = amount if r() < 0.85 else amount * ri(85, 99) // 100
        if final_day <= NOW and spent > paid:
            mw(f"{pid}\t{scope}\tdisbursed\t{spent - paid}\t{final_day}\n")
            money += 1
            events += 1
            if final_day <= midyear:
                out.midyear[key] = out.midyear.get(key, 0) + spent - paid
            paid = spent
        settle = final_day + (ri(1, 6) if r() < 0.93 else ri(20, 120))
        if settle <= NOW and paid == spent:
            settled, state = settle, "settled"
            events += 2  # proposal_settled, settlement_recorded
            if amount > spent:
                mw(f"{pid}\t{scope}\trelease\t{amount - spent}\t{settle}\n")
                money += 1
            if recoverable:  # machinery of the local fund: repaid quarterly
                quarter = amount // 4
                for n in range(4):
                    due = settle + 90 * (n + 1)
                    sw(f"{pid}\trepayment\t{n}\t{due}\t{quarter * (n + 1)}\n")
                    sched += 1
                    got = due + (ri(-5, 20) if r() < 0.9 else ri(40, 150))
                    if got <= NOW:
                        mw(f"{pid}\t{scope}\trepaid\t{quarter}\t{got}\n")
                        money += 1
                        events += 1
    out.rows["progress"] += prog
    out.rows["money"] += money
    out.rows["schedule"] += sched
    return events, state, accepted, settled, closed


def plans(
    approved: dict[tuple[str, str, int], int],
    midyear: dict[tuple[str, str, int], int],
    codes: list[str],
    slow: set[str],
    seed: int,
    expected_midyear: float = 0.40,
) -> tuple[str, int]:
    """Each province's plan per fund and year: version 1 in January, a revision in June.

    Sized so that the provinces on course have disbursed about the expected share by 30 June
    (the programme-wide ratio of disbursed to approved, spread by 85-130%); the slow
    provinces get plans of the same size and so fall behind.
    """
    on_course = [k for k in approved if k[0] not in slow]
    ratio = sum(midyear.get(k, 0) for k in on_course) / max(1, sum(approved[k] for k in on_course))
    rng = random.Random(seed)
    buf = io.StringIO()
    n = 0
    for year in (2015, 2016):
        for code in codes:
            for fund in ("national", "local"):
                base = approved.get((code, fund, year), 0) * ratio / expected_midyear
                first = max(10**9, int(base * rng.uniform(0.85, 1.3))) // 10**6 * 10**6
                second = first * rng.randint(95, 110) // 100 // 10**6 * 10**6
                buf.write(f"{code}\t{year}\t{fund}\t1\t{first}\t{date(year, 1, 15).toordinal()}\n")
                buf.write(f"{code}\t{year}\t{fund}\t2\t{second}\t{date(year, 6, 10).toordinal()}\n")
                n += 2
    return buf.getvalue(), n
