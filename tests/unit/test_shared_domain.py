"""The shared words (`grantflow.domain`): scope, funds, money rates, days, refusals."""

from __future__ import annotations

from datetime import date

import pytest

from grantflow import errors
from grantflow.domain import (
    FUNDS,
    Early,
    Refused,
    Scope,
    change_percent,
    day,
    day_number,
    from_day_number,
    rate,
)
from grantflow.reference import ceilings


def test_a_scope_is_a_province_a_year_and_a_fund_and_its_key_joins_them() -> None:
    scope = Scope.of({"province": "80", "year": 2016, "source_fund": "national", "x": 1})
    assert scope == Scope("80", 2016, "national") == ("80", 2016, "national")
    assert scope.key == "80:2016:national"
    assert sorted({Scope("80", 2016, "local"), Scope("79", 2016, "local")})[0].province == "79"


def test_the_funds_are_the_national_and_the_local_programme() -> None:
    assert FUNDS == ("national", "local")
    assert frozenset(FUNDS) == ceilings.FUNDS


@pytest.mark.parametrize(
    ("disbursed", "allocated", "expected"),
    [(1, 3, 0.3333), (0, 5, 0.0), (7, 7, 1.0), (5, 0, None), (2, 3, 0.6667)],
)
def test_a_rate_has_four_decimals_and_none_without_allocation(
    disbursed: int, allocated: int, expected: float | None
) -> None:
    assert rate(disbursed, allocated) == expected


def test_the_change_in_percent_has_two_decimals_as_the_2016_report() -> None:
    assert change_percent(65_540, 64_360) == 1.83
    assert change_percent(28_657, 29_296) == -2.18
    assert change_percent(5, 0) is None and change_percent(5, None) is None


def test_days_are_iso_dates_in_events_and_day_numbers_in_tables() -> None:
    assert day("2016-06-30") == date(2016, 6, 30) == day(date(2016, 6, 30))
    assert day_number("2016-06-30") == 736145 == day_number(date(2016, 6, 30))
    assert from_day_number(736145) == date(2016, 6, 30)
    with pytest.raises(ValueError):
        day("30/06/2016")


def test_a_refusal_keeps_its_code_and_the_library_names_the_same_classes() -> None:
    early = Early("prerequisite_missing", "plan adjusted before approved")
    assert isinstance(early, Refused) and early.code == "prerequisite_missing"
    assert errors.Refused is Refused and errors.Early is Early
    assert errors.http_status(early.code) == 409
