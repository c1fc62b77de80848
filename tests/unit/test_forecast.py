"""The year-end forecast's rules (reporting.domain.forecast) and what its alert says."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from reporting.domain.forecast import (
    FALLBACK,
    Forecast,
    Outstanding,
    Rates,
    expected,
    forecast,
    learnt,
    same_day,
    short_level,
)

BY = date(2017, 1, 22)
EXAMPLES = Path(__file__).resolve().parents[2] / "contracts" / "examples"


def test_each_kind_of_outstanding_money_is_counted_at_its_own_share():
    now = Outstanding(plan=1_000, disbursed=300, overdue=100, scheduled=200, later=100, pending=200)
    assert now.headroom == 100  # 1,000 less 900 known
    rates = Rates(overdue=0.5, scheduled=1.0, later=0.2, pending=0.25, headroom=0.1)
    assert expected(now, rates) == 300 + 50 + 200 + 20 + 50 + 10


def test_shares_are_learnt_from_what_was_paid_of_each_kind():
    earlier = Outstanding(1_000, 300, 100, 200, 100, 200, 40, 180, 10, 100, 50)
    assert learnt(earlier) == Rates(0.4, 0.9, 0.1, 0.5, 0.5)
    nothing_pending = Outstanding(1_000, 300, 100, 200, 100, 0, 40, 180, 10, 0, 0)
    assert learnt(nothing_pending).pending == FALLBACK.pending


def test_the_range_comes_from_how_far_earlier_years_missed():
    """Eleven provinces of one earlier year, paid 50% of what they had scheduled on average,
    some more, some less: the range brackets the forecast by their misses."""
    year = [Outstanding(100, 0, 0, 100, 0, 0, 0, 50 + 2 * (i - 5), 0, 0, 0) for i in range(11)]
    now = Outstanding(1_000, 200, 0, 800, 0, 0)
    made = forecast(now, BY, [year])
    assert made.expected_vnd == 200 + 400
    assert made.low_vnd < made.expected_vnd < made.high_vnd
    assert made.years == 1 and made.rate() == 0.6
    assert all(isinstance(v, int) for v in (made.expected_vnd, made.low_vnd, made.high_vnd))


def test_without_earlier_years_the_fallback_shares_and_a_wide_range_say_so():
    made = forecast(Outstanding(1_000, 200, scheduled=800), BY, [])
    assert made.years == 0
    assert made.expected_vnd == 200 + round(800 * FALLBACK.scheduled)
    assert made.low_vnd >= 200 and made.high_vnd > made.expected_vnd


def test_the_level_says_how_far_the_range_falls_short_of_the_share():
    def at(low: int, point: int, high: int) -> str:
        return short_level(Forecast(BY, point, low, high, 1_000, 3), 0.8)

    assert at(850, 900, 950) == "normal"
    assert at(750, 850, 950) == "watch"
    assert at(700, 790, 850) == "warning"
    assert at(600, 700, 790) == "critical"


def test_a_29_february_is_read_as_the_28th_in_a_common_year():
    assert same_day(2015, date(2016, 2, 29)) == date(2015, 2, 28)
    assert same_day(2015, date(2016, 6, 30)) == date(2015, 6, 30)


def test_the_forecast_alert_reads_in_both_languages_and_resolves():
    from datetime import UTC, datetime

    from notifications.adapters.rendering import Renderer
    from notifications.domain.alerts import signal_of, transition
    from notifications.domain.model import Recipient
    from notifications.domain.planning import plan_group

    now = datetime(2016, 6, 30, 10, 0, tzinfo=UTC)
    event = json.loads((EXAMPLES / "province_forecast_short.json").read_text(encoding="utf-8"))
    firing, _ = transition(None, signal_of(event["type"], event["data"], 1), now)
    jane = Recipient("jane", "Jane Doe", "jane@example.com", language="en")
    lan = Recipient("lan", "Nguyễn Thị Lan", "lan@example.com")
    renderer = Renderer("http://r")
    subjects = {}
    for who in (jane, lan):
        plan = plan_group("80", [firing], [who], [], {}, now, timedelta(days=1), "x.y")
        subjects[who.language] = renderer.alert_email(plan.emails[0], now).subject
    assert subjects == {
        "en": "[Warning] Long An: forecast 69.8% of the plan by 22/01/2017 (60.0%–82.1%),"
        " short of 80.0% (national funds 2016)",
        "vi": "[Cảnh báo] Long An: dự báo giải ngân đến 22/01/2017 đạt 69,8% kế hoạch"
        " (60,0%–82,1%), dưới mức 80,0% (KCQG 2016)",
    }
    told = plan_group("80", [firing], [jane], [], {}, now, timedelta(days=1), "x.y").notices
    data = event["data"] | {"level": "normal", "previous_level": "warning"}
    data["settlement"] = data["settlement"] | {"rate": 0.85}
    resolving, _ = transition(firing, signal_of(event["type"], data, 2), now)
    (email,) = plan_group("80", [resolving], [jane], [], told, now, timedelta(days=1), "x.y").emails
    assert renderer.alert_email(email, now).subject == (
        "[Resolved] Long An: forecast 85.0% of the plan by 22/01/2017, no longer short of 80.0%"
        " (national funds 2016)"
    )
