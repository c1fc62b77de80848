"""Money, percentages and dates as Vietnamese finance staff read them (and the English form)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from grantflow.formatting import day, moment, number, percent, vnd, vnd_short


@pytest.mark.parametrize(
    ("amount", "vi", "en"),
    [
        (28_600_000_000, "28,6 tỷ đồng", "28.6 billion VND"),
        (65_549_000_000, "65,5 tỷ đồng", "65.5 billion VND"),
        (1_234_500_000_000, "1.234,5 tỷ đồng", "1,234.5 billion VND"),
        (2_000_000_000, "2 tỷ đồng", "2 billion VND"),
        (150_000_000, "150 triệu đồng", "150 million VND"),
        (117_740_000, "117,7 triệu đồng", "117.7 million VND"),
        (950_000_000, "950 triệu đồng", "950 million VND"),
        (999_960_000, "1 tỷ đồng", "1 billion VND"),
        (999_940_000, "999,9 triệu đồng", "999.9 million VND"),
        (1_050_000, "1,1 triệu đồng", "1.1 million VND"),
        (500_000, "500.000 ₫", "500,000 VND"),
        (-1_500_000, "-1,5 triệu đồng", "-1.5 million VND"),
    ],
)
def test_large_amounts_read_in_ty_and_trieu_with_one_decimal(amount, vi, en):
    assert vnd_short(amount) == vi
    assert vnd_short(amount, "en") == en


@pytest.mark.parametrize(
    ("amount", "vi", "en"),
    [
        (150_000_000, "150.000.000 ₫", "150,000,000 VND"),
        (1_450_000_000, "1.450.000.000 ₫", "1,450,000,000 VND"),
        (0, "0 ₫", "0 VND"),
        (-45_000_000, "-45.000.000 ₫", "-45,000,000 VND"),
    ],
)
def test_exact_amounts_keep_every_dong(amount, vi, en):
    assert vnd(amount) == vi
    assert vnd(amount, "en") == en


def test_percentages_use_the_decimal_comma_in_vietnamese():
    assert percent(0.0812) == "8,1%"
    assert percent(0.35) == "35,0%"
    assert percent(0.2415, "en") == "24.2%"
    assert percent(0.00005) == "0,0%"
    assert percent(0.12345, decimals=2) == "12,35%"
    assert percent(None) == "—"


def test_dates_are_dd_mm_yyyy_and_times_are_vietnam_time():
    assert day(date(2016, 6, 30)) == "30/06/2016"
    assert day("2016-01-05") == "05/01/2016"
    assert day(None) == "—"
    assert moment(datetime(2016, 6, 30, 17, 30, tzinfo=UTC)) == "01/07/2016 00:30"
    assert moment(datetime(2016, 6, 30, 1, 0)) == "30/06/2016 08:00"  # naive: taken as UTC


def test_numbers_are_grouped_by_thousands():
    assert number(1_234_567) == "1.234.567"
    assert number(1_234_567, "en") == "1,234,567"
