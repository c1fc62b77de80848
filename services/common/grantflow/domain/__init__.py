"""The words every service shares, as types and pure functions: standard library only.

A grant is budgeted per scope (province, year, fund); money is an integer number of dong;
days are ISO dates, stored as day numbers (`date.toordinal()`); rates and year-on-year changes
are rounded once, here. A rule's refusal is `Refused`; `Early` when a prerequisite is missing.
"""

from grantflow.domain.copying import to_change
from grantflow.domain.days import day, day_number, from_day_number
from grantflow.domain.money import Dong, change_percent, rate
from grantflow.domain.refusals import Early, Refused
from grantflow.domain.scope import FUNDS, Fund, Scope

__all__ = [
    "FUNDS",
    "Dong",
    "Early",
    "Fund",
    "Refused",
    "Scope",
    "change_percent",
    "day",
    "day_number",
    "from_day_number",
    "rate",
    "to_change",
]
