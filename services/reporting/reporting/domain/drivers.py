"""What drives a province's level: each criterion judged on its own, then the worst of them.

A level names its drivers so that an alert can say why it fires: the rate behind the
expected curve (`rate`), the rate behind the average of the province's comparison group
(`group`), the share of lagging proposals (`lagging_share`). When several criteria give the
same, worst, level, all of them are drivers, in that order. `peer_average` compares each
province with the other provinces of its group, never with itself (see `peer_averages`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from reporting.domain.lag import LEVELS, LagRules

DRIVERS = ("rate", "group", "lagging_share")


@dataclass(frozen=True)
class Judgement:
    level: str
    drivers: tuple[str, ...]  # empty when the level is normal


def judge(
    rules: LagRules,
    rate: float | None,
    expected: float,
    peer_average: float | None,
    lagging_share: float,
) -> Judgement:
    """The level and what drives it: `judge(rules, 0.353, 0.30, 0.2, 0.6)` is critical,
    driven by `lagging_share` alone (the rate is ahead of the schedule and of the group)."""
    levels = {
        "rate": _by_rate(rules, rate, expected),
        "group": _by_group(rules, rate, expected, peer_average),
        "lagging_share": _by_share(rules, lagging_share),
    }
    worst = max(levels.values(), key=LEVELS.index)
    if worst == "normal":
        return Judgement("normal", ())
    return Judgement(worst, tuple(name for name in DRIVERS if levels[name] == worst))


def _by_rate(rules: LagRules, rate: float | None, expected: float) -> str:
    if rate is None or expected < rules.min_expected:
        return "normal"  # nothing allocated, or too early in the year to judge
    ratio = round(rate / expected, 6)
    if ratio < rules.critical_rate_factor:
        return "critical"
    if ratio < rules.warning_rate_factor:
        return "warning"
    return "watch" if ratio < 1.0 else "normal"


def _by_group(
    rules: LagRules, rate: float | None, expected: float, peer_average: float | None
) -> str:
    if rate is None or expected < rules.min_expected or not peer_average:
        return "normal"
    if rate < round(peer_average * rules.regional_factor, 6):
        return "warning"
    return "watch" if rate < peer_average else "normal"


def _by_share(rules: LagRules, share: float) -> str:
    if share >= rules.critical_lagging_share:
        return "critical"
    if share >= rules.warning_lagging_share:
        return "warning"
    return "watch" if share >= rules.watch_lagging_share else "normal"


@dataclass(frozen=True)
class Peers:
    average: float | None  # disbursed over allocated of the other provinces; None if none
    count: int  # the other provinces of the group with an allocation


def peer_averages(
    figures: Iterable[tuple[str, str, int, int]], group_of: Mapping[str, str | None]
) -> dict[tuple[str, str], Peers]:
    """Per (province, fund): the rate of the *other* provinces of its group, same fund.

    `figures` are (province, fund, disbursed, allocated); `group_of` maps a province to the
    name of its comparison group. A province alone in its group has no average (None).
    """
    rows = list(figures)
    totals: dict[tuple[str | None, str], list[int]] = {}
    for code, fund, disbursed, allocated in rows:
        t = totals.setdefault((group_of.get(code), fund), [0, 0, 0])
        t[0] += disbursed
        t[1] += allocated
        t[2] += 1 if allocated else 0
    out: dict[tuple[str, str], Peers] = {}
    for code, fund, disbursed, allocated in rows:
        group = group_of.get(code)
        if group is None:
            out[(code, fund)] = Peers(None, 0)
            continue
        paid, planned, n = totals[(group, fund)]
        others_planned = planned - allocated
        others = n - (1 if allocated else 0)
        average = round((paid - disbursed) / others_planned, 4) if others_planned > 0 else None
        out[(code, fund)] = Peers(average, others)
    return out


def level_of(
    rules: LagRules,
    rate: float | None,
    expected: float,
    regional: float | None,
    lagging_share: float,
) -> str:
    """normal, watch, warning or critical, from the rate and the share of lagging proposals
    (`judge` also says which of them drives it)."""
    return judge(rules, rate, expected, regional, lagging_share).level
