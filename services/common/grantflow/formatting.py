"""Numbers, money, percentages and dates the way finance staff read them, in vi (default) or en.

    vnd(150_000_000)               -> "150.000.000 ₫"       (exact, to the dong)
    vnd_short(28_600_000_000)      -> "28,6 tỷ đồng"         (tỷ = 10^9, triệu = 10^6)
    vnd_short(150_000_000)         -> "150 triệu đồng"       (one decimal, ",0" dropped)
    percent(0.0812)                -> "8,1%"
    day(date(2016, 6, 30))         -> "30/06/2016"
    moment(datetime(...))          -> "30/06/2016 17:00"     (Vietnam time, UTC+7)

Vietnamese writes "." between thousands and "," before decimals; English the other way round.
Money is an integer of dong: rounding happens here, for display only, half up.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")  # no DST since 1975: no tz database needed
MILLION = 10**6
BILLION = 10**9
MISSING = "—"

_UNITS = {
    "vi": ((BILLION, "tỷ đồng"), (MILLION, "triệu đồng")),
    "en": ((BILLION, "billion VND"), (MILLION, "million VND")),
}


def _separators(lang: str) -> tuple[str, str]:
    """(thousands, decimal) separators."""
    return (".", ",") if lang != "en" else (",", ".")


def _digits(value: Decimal | int, decimals: int, lang: str) -> str:
    thousands, point = _separators(lang)
    text = f"{value:,.{decimals}f}"  # "1,234.5"
    return text.replace(",", "\0").replace(".", point).replace("\0", thousands)


def number(value: int, lang: str = "vi") -> str:
    """An integer with thousands separators: ``number(1234567) == "1.234.567"``."""
    return _digits(int(value), 0, lang)


def vnd(amount: int, lang: str = "vi") -> str:
    """Exact money: ``vnd(150_000_000) == "150.000.000 ₫"``, en ``"150,000,000 VND"``."""
    unit = "₫" if lang != "en" else "VND"
    return f"{number(amount, lang)} {unit}"


def vnd_short(amount: int, lang: str = "vi") -> str:
    """Money in tỷ or triệu with one decimal: ``vnd_short(28_600_000_000) == "28,6 tỷ đồng"``.

    Below one million the exact amount is shown. A decimal that rounds to zero is dropped
    ("150 triệu đồng"), and 999.96 million becomes "1 tỷ đồng", not "1.000 triệu đồng".
    """
    magnitude = abs(int(amount))
    if magnitude < MILLION:
        return vnd(amount, lang)
    sign = "-" if amount < 0 else ""
    (billion, billions), (million, millions) = _UNITS["en" if lang == "en" else "vi"]
    size, name = million, millions
    if _one_decimal(magnitude, million) >= 1000:
        size, name = billion, billions
    scaled = _one_decimal(magnitude, size)
    decimals = 0 if scaled == scaled.to_integral_value() else 1
    return f"{sign}{_digits(scaled, decimals, lang)} {name}"


def _one_decimal(magnitude: int, size: int) -> Decimal:
    return (Decimal(magnitude) / size).quantize(Decimal("0.1"), ROUND_HALF_UP)


def percent(fraction: float | None, lang: str = "vi", decimals: int = 1) -> str:
    """A fraction as a percentage: ``percent(0.0812) == "8,1%"``; None gives "—"."""
    if fraction is None:
        return MISSING
    scaled = (Decimal(str(fraction)) * 100).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    return f"{_digits(scaled, decimals, lang)}%"


def day(value: date | str | None) -> str:
    """A date as dd/mm/yyyy (both languages): ``day("2016-06-30") == "30/06/2016"``."""
    if value is None or value == "":
        return MISSING
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return value.strftime("%d/%m/%Y")


def moment(value: datetime | None) -> str:
    """A timestamp in Vietnam time, dd/mm/yyyy HH:MM; a naive value is taken as UTC."""
    if value is None:
        return MISSING
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(VIETNAM_TIME).strftime("%d/%m/%Y %H:%M")
