"""Days: ISO dates in events (``"2016-06-30"``), day numbers (`date.toordinal()`) in tables."""

from __future__ import annotations

from datetime import date


def day(value: str | date) -> date:
    """An ISO date as a date (a date stays itself): ``day("2016-06-30") == date(2016, 6, 30)``."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def day_number(value: str | date) -> int:
    """The day number a table stores: ``day_number("2016-06-30") == 736145``."""
    return day(value).toordinal()


def from_day_number(number: int) -> date:
    """The date of a stored day number: ``from_day_number(736145) == date(2016, 6, 30)``."""
    return date.fromordinal(number)
