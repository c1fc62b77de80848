"""The schedule-lag rules: the expected-disbursement curve, the warning levels, their
configuration (REPORTING_*) and the periods the regional report takes."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date

import pytest

from grantflow.errors import Refused
from reporting.config import ReportingSettings
from reporting.domain.drivers import level_of
from reporting.domain.lag import LagRules, expected_rate
from reporting.views import parse_period

# The curve these tests read (the thresholds are the defaults): 15/40/65/90% by quarter end.
RULES = LagRules(curve=((3, 31, 0.15), (6, 30, 0.40), (9, 30, 0.65), (12, 31, 0.90)))


@pytest.fixture
def no_reporting_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No REPORTING_* variable of the environment leaks into the settings under test."""
    for name in list(os.environ):
        if name.upper().startswith("REPORTING_"):
            monkeypatch.delenv(name)
    return monkeypatch


# --- expected_rate ---------------------------------------------------------------------------


def test_nothing_is_expected_on_the_first_of_january():
    assert expected_rate(RULES, 2016, date(2016, 1, 1)) == 0.0


@pytest.mark.parametrize(
    ("on", "share"),
    [
        (date(2016, 3, 31), 0.15),
        (date(2016, 6, 30), 0.40),
        (date(2016, 9, 30), 0.65),
        (date(2016, 12, 31), 0.90),
    ],
)
def test_on_each_point_of_the_curve_its_share_is_expected(on, share):
    assert expected_rate(RULES, 2016, on) == share


@pytest.mark.parametrize(
    ("on", "share"),
    [
        # 44 of the 90 days from 1 January to 31 March 2016 (a leap year): 0.15 * 44 / 90
        (date(2016, 2, 14), 0.0733),
        # 44 of 89 days in 2015
        (date(2015, 2, 14), round(0.15 * 44 / 89, 4)),
        # half-way from 30 June to 30 September (46 of 92 days)
        (date(2016, 8, 15), 0.525),
        # the day after a point: one day of the next segment
        (date(2016, 4, 1), round(0.15 + 0.25 / 91, 4)),
        (date(2016, 12, 30), round(0.65 + 0.25 * 91 / 92, 4)),
    ],
)
def test_between_two_points_the_share_is_interpolated_linearly(on, share):
    assert expected_rate(RULES, on.year, on) == share


def test_the_share_grows_with_the_date_through_the_year():
    days = [date.fromordinal(date(2016, 1, 1).toordinal() + n) for n in range(366)]
    shares = [expected_rate(RULES, 2016, d) for d in days]
    assert shares == sorted(shares)
    assert shares[0] == 0.0 and shares[-1] == 0.9


def test_after_the_last_point_its_share_stays_expected():
    early_end = LagRules(curve=((3, 31, 0.2), (10, 31, 0.95)))
    assert expected_rate(early_end, 2016, date(2016, 11, 15)) == 0.95
    assert expected_rate(early_end, 2016, date(2016, 12, 31)) == 0.95
    # a year's allocation evaluated in the next year: the whole last share
    assert expected_rate(RULES, 2016, date(2017, 3, 1)) == 0.9


def test_nothing_is_expected_of_a_future_year():
    assert expected_rate(RULES, 2017, date(2016, 6, 30)) == 0.0
    assert expected_rate(RULES, 2017, date(2016, 12, 31)) == 0.0


def test_a_curve_point_on_the_first_of_january_is_expected_that_day():
    from_the_start = LagRules(curve=((1, 1, 0.05), (12, 31, 0.9)))
    assert expected_rate(from_the_start, 2016, date(2016, 1, 1)) == 0.05


# --- level_of ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "expected", "level"),
    [
        (0.40, 0.40, "normal"),  # on the curve
        (0.50, 0.40, "normal"),  # ahead of it
        (0.39, 0.40, "watch"),  # just behind
        (0.31, 0.40, "watch"),  # 77.5% of expected
        (0.29, 0.40, "warning"),  # 72.5%: below three quarters
        (0.20, 0.40, "warning"),  # exactly half is not below half
        (0.19, 0.40, "critical"),  # below half
        (0.00, 0.40, "critical"),
        (0.1125, 0.15, "watch"),  # exactly three quarters of 31 March's share
        (0.075, 0.15, "warning"),  # exactly half of it
        (0.0749, 0.15, "critical"),
    ],
)
def test_the_level_follows_the_rate_against_the_expected_rate(rate, expected, level):
    assert level_of(RULES, rate, expected, None, 0.0) == level


@pytest.mark.parametrize(
    ("rate", "expected", "regional"),
    [(0.30, 0.40, None), (0.30, 0.30, 0.40)],
)
def test_exactly_three_quarters_is_watch_not_warning(rate, expected, regional):
    assert level_of(RULES, rate, expected, regional, 0.0) == "watch"


def test_early_in_the_year_the_rate_is_not_judged():
    # expected below min_expected (0.05): nothing disbursed is still normal
    assert level_of(RULES, 0.0, 0.0, None, 0.0) == "normal"
    assert level_of(RULES, 0.0, 0.0499, None, 0.0) == "normal"
    assert level_of(RULES, 0.0, 0.0499, 0.5, 0.0) == "normal"  # nor against the region
    # from min_expected on, it is
    assert level_of(RULES, 0.0, 0.05, None, 0.0) == "critical"
    # the grace is configuration
    assert level_of(LagRules(min_expected=0.2), 0.0, 0.15, None, 0.0) == "normal"
    assert level_of(LagRules(min_expected=0.1), 0.0, 0.15, None, 0.0) == "critical"


def test_nothing_allocated_is_not_judged_by_rate():
    assert level_of(RULES, None, 0.9, 0.5, 0.0) == "normal"
    assert level_of(RULES, None, 0.9, 0.5, 0.3) == "warning"


@pytest.mark.parametrize(
    ("rate", "regional", "level"),
    [
        (0.40, None, "normal"),  # no regional average
        (0.40, 0.0, "normal"),  # nothing disbursed in the region
        (0.40, 0.40, "normal"),  # at the average
        (0.40, 0.50, "watch"),  # below it
        (0.40, 0.53, "watch"),  # 75.5% of it
        (0.40, 0.54, "warning"),  # below three quarters of it
        (0.40, 0.90, "warning"),  # far below it, yet on the curve: never critical by region
    ],
)
def test_a_province_behind_its_regions_average_is_watched_then_warned(rate, regional, level):
    assert level_of(RULES, rate, 0.40, regional, 0.0) == level


@pytest.mark.parametrize(
    ("share", "level"),
    [
        (0.0, "normal"),
        (0.09, "normal"),
        (0.1, "watch"),
        (0.29, "watch"),
        (0.3, "warning"),
        (0.49, "warning"),
        (0.5, "critical"),
        (1.0, "critical"),
    ],
)
def test_the_share_of_lagging_proposals_sets_a_level_of_its_own(share, level):
    # on the curve, and also before the rate is judged
    assert level_of(RULES, 0.4, 0.4, 0.4, share) == level
    assert level_of(RULES, 0.0, 0.0, None, share) == level


def test_the_worse_of_rate_and_lagging_share_wins():
    assert level_of(RULES, 0.19, 0.40, None, 0.1) == "critical"  # rate critical, share watch
    assert level_of(RULES, 0.39, 0.40, None, 0.5) == "critical"  # rate watch, share critical


def test_the_thresholds_are_the_rules():
    strict = LagRules(
        critical_rate_factor=0.9,
        warning_rate_factor=0.95,
        watch_lagging_share=0.5,
        warning_lagging_share=0.6,
        critical_lagging_share=0.7,
    )
    assert level_of(strict, 0.35, 0.40, None, 0.0) == "critical"  # 87.5% < 90%
    assert level_of(RULES, 0.35, 0.40, None, 0.0) == "watch"
    assert level_of(strict, 0.4, 0.4, None, 0.3) == "normal"
    assert level_of(strict, 0.4, 0.4, None, 0.65) == "warning"


# --- ReportingSettings.rules -----------------------------------------------------------------


def test_the_default_settings_give_the_default_thresholds(no_reporting_env):
    rules = ReportingSettings().rules()
    assert rules == replace(LagRules(), curve=rules.curve)


def test_the_default_curve_is_10_30_60_90_percent_by_quarter_end(no_reporting_env):
    rules = ReportingSettings().rules()
    assert rules.curve == ((3, 31, 0.10), (6, 30, 0.30), (9, 30, 0.60), (12, 31, 0.90))
    assert expected_rate(rules, 2016, date(2016, 6, 30)) == 0.3


def test_the_rules_have_the_default_curve_of_the_settings(no_reporting_env):
    assert LagRules().curve == ReportingSettings().rules().curve


def test_the_curve_is_read_from_reporting_expected_curve(no_reporting_env):
    no_reporting_env.setenv("REPORTING_EXPECTED_CURVE", "02-28:0.1,06-30:0.5,11-30:1.0")
    rules = ReportingSettings().rules()
    assert rules.curve == ((2, 28, 0.1), (6, 30, 0.5), (11, 30, 1.0))
    assert expected_rate(rules, 2015, date(2015, 2, 28)) == 0.1
    assert expected_rate(rules, 2015, date(2015, 12, 15)) == 1.0
    assert rules.no_contract_days == LagRules().no_contract_days  # the rest stays default


def test_every_threshold_is_read_from_the_environment(no_reporting_env):
    values = {
        "NO_CONTRACT_DAYS": ("45", 45),
        "REPORT_DUE_DAY": ("20", 20),
        "PROGRESS_GAP_POINTS": ("15.5", 15.5),
        "SETTLEMENT_DAYS": ("10", 10),
        "MIN_EXPECTED": ("0.1", 0.1),
        "CRITICAL_RATE_FACTOR": ("0.4", 0.4),
        "WARNING_RATE_FACTOR": ("0.8", 0.8),
        "REGIONAL_FACTOR": ("0.7", 0.7),
        "CRITICAL_LAGGING_SHARE": ("0.6", 0.6),
        "WARNING_LAGGING_SHARE": ("0.4", 0.4),
        "WATCH_LAGGING_SHARE": ("0.2", 0.2),
    }
    for name, (raw, _) in values.items():
        no_reporting_env.setenv(f"REPORTING_{name}", raw)
    rules = ReportingSettings().rules()
    assert {name: getattr(rules, name.lower()) for name in values} == {
        name: value for name, (_, value) in values.items()
    }


@pytest.mark.parametrize("curve", ["03-31", "03-31:lots", "march:0.15", "03-31:0.15,"])
def test_a_curve_that_does_not_parse_is_refused(no_reporting_env, curve):
    no_reporting_env.setenv("REPORTING_EXPECTED_CURVE", curve)
    with pytest.raises(ValueError):
        ReportingSettings().rules()


@pytest.mark.parametrize(
    "curve",
    [
        "02-29:0.1,12-31:0.9",  # no 29 February in 2015: every evaluation of 2015 fails
        "06-30:0.4,03-31:0.15",  # out of order
        "03-31:0.15,06-30:1.5",  # a share above 1
        "02-30:0.1",  # no such day
    ],
)
def test_a_curve_that_cannot_be_evaluated_every_year_is_refused_when_read(no_reporting_env, curve):
    no_reporting_env.setenv("REPORTING_EXPECTED_CURVE", curve)
    with pytest.raises(ValueError):
        ReportingSettings().rules()


def test_the_progress_report_due_day_is_bounded(no_reporting_env):
    from pydantic import ValidationError

    no_reporting_env.setenv("REPORTING_REPORT_DUE_DAY", "31")
    with pytest.raises(ValidationError):
        ReportingSettings()


# --- parse_period ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "first", "last"),
    [
        ("2016", date(2016, 1, 1), date(2016, 12, 31)),
        ("2016-H1", date(2016, 1, 1), date(2016, 6, 30)),
        ("2016-H2", date(2016, 7, 1), date(2016, 12, 31)),
        ("2016-Q1", date(2016, 1, 1), date(2016, 3, 31)),
        ("2016-Q2", date(2016, 4, 1), date(2016, 6, 30)),
        ("2016-Q3", date(2016, 7, 1), date(2016, 9, 30)),
        ("2016-Q4", date(2016, 10, 1), date(2016, 12, 31)),
        ("2000-Q1", date(2000, 1, 1), date(2000, 3, 31)),
        ("2100", date(2100, 1, 1), date(2100, 12, 31)),
    ],
)
def test_a_period_is_a_year_a_half_or_a_quarter(period, first, last):
    assert parse_period(period) == (first.year, first, last)


@pytest.mark.parametrize(
    "period",
    [
        "",
        "16",
        "1999",
        "2101",
        "2016-H3",
        "2016-Q0",
        "2016-Q5",
        "2016-q1",
        "2016-h1",
        "2016/H1",
        "H1-2016",
        "2016-H1-x",
        "2016-06",
        "abcd",
        "-2016",
        " 2016",
    ],
)
def test_anything_else_is_a_bad_query(period):
    with pytest.raises(Refused) as refused:
        parse_period(period)
    assert refused.value.code == "bad_query"
    assert repr(period) in refused.value.detail


def test_a_year_with_a_dash_and_nothing_after_is_a_bad_query():
    with pytest.raises(Refused):
        parse_period("2016-")


def test_the_year_end_settlement_day_is_read_from_the_environment(no_reporting_env):
    from reporting.domain.lag import detail

    assert ReportingSettings().rules().year_end_settlement == (1, 22)
    no_reporting_env.setenv("REPORTING_YEAR_END_SETTLEMENT", "02-15")
    rules = ReportingSettings().rules()
    assert rules.year_end_settlement == (2, 15)
    words = detail("year_end_unsettled", 2015, date(2016, 3, 1), rules)
    assert words == "contract of 2015 not settled by 15/02/2016"


@pytest.mark.parametrize("day", ["01-32", "02-29", "22/01", "soon", "01"])
def test_a_year_end_settlement_day_that_is_not_one_every_year_has_is_refused(no_reporting_env, day):
    no_reporting_env.setenv("REPORTING_YEAR_END_SETTLEMENT", day)
    with pytest.raises(ValueError, match="REPORTING_YEAR_END_SETTLEMENT"):
        ReportingSettings().rules()
