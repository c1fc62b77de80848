"""Money is an integer number of dong (VND), never a float; rates are the only fractions."""

from __future__ import annotations

from typing import TypeAlias

Dong: TypeAlias = int


def rate(disbursed: Dong, allocated: Dong) -> float | None:
    """Disbursement rate = (advances + payments) / approved allocation, four decimals;
    None when nothing is allocated: ``rate(1, 3) == 0.3333``."""
    return round(disbursed / allocated, 4) if allocated else None


def change_percent(amount: Dong, previous: Dong | None) -> float | None:
    """Year-on-year change in percent, two decimals (as the 2016 report rounds); None without
    a previous amount: ``change_percent(6554, 6436) == 1.83``."""
    if not previous:
        return None
    return round((amount - previous) * 100 / previous, 2)
