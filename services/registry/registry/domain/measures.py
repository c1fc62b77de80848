"""Areas: hectares travel as decimal strings and are kept as integer hundredths of a hectare.

Never a float: "75.5" ha is 7550 hundredths (one hundredth of a hectare is 100 m²).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def hundredths_of_ha(text: str) -> int:
    """ "75.5" -> 7550; ValueError for anything but a non-negative number of <= 2 decimals."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number of hectares") from None
    scaled = value * 100
    if value < 0 or scaled != scaled.to_integral_value():
        raise ValueError(f"{text!r} must be a non-negative area with at most two decimals")
    return int(scaled)


def hectares(hundredths: int) -> str:
    """7550 -> "75.5"; 7500 -> "75"; 7505 -> "75.05"."""
    whole, part = divmod(hundredths, 100)
    return str(whole) if not part else f"{whole}.{part:02d}".rstrip("0")
