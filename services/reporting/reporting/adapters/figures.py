"""Each province's and fund's figures on a day (allocated, committed, disbursed, proposals),
read under the units in force on that day (`units`): the lag evaluation's starting point."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from grantflow.db import is_postgres
from grantflow.domain import Scope
from grantflow.reference import province as province_on
from reporting.adapters.lag_sql import FIGURES_SQL
from reporting.domain.units import MERGER, unit_code


@dataclass
class ProvinceFigures:
    province: str
    source_fund: str
    year: int
    allocated_vnd: int
    committed_vnd: int
    disbursed_vnd: int
    proposals: int
    region: str | None
    name: str
    rate: float | None = None
    expected_rate: float = 0.0
    regional_average: float | None = None  # of the other provinces of `comparison_group`
    comparison_group: str | None = None
    peers: int = 0
    level: str = "normal"
    drivers: tuple[str, ...] = ()
    lagging_proposals: int = 0
    reason_counts: dict[str, int] = field(default_factory=dict)  # kept evaluations only
    reasons: list[dict[str, str]] = field(default_factory=list)  # the first few, if read
    refunded_vnd: int = 0  # refunds due from beneficiaries after settlement
    owed_vnd: int = 0  # settled and still payable to beneficiaries

    @property
    def lagging_share(self) -> float:
        return round(self.lagging_proposals / self.proposals, 4) if self.proposals else 0.0

    @property
    def key(self) -> Scope:
        return Scope(self.province, self.year, self.source_fund)

    @property
    def place(self) -> dict[str, Any]:
        """Where the figures stand, as the events and the answers name it."""
        return self.key._asdict() | {"province_name": self.name, "region": self.region}

    @property
    def lag(self) -> dict[str, Any]:
        """The level and the counts behind it, as `province_lagging` and the evaluation's
        answer carry them."""
        return {
            "level": self.level,
            "allocated_vnd": self.allocated_vnd,
            "disbursed_vnd": self.disbursed_vnd,
            "proposals": self.proposals,
            "lagging_proposals": self.lagging_proposals,
            "reasons_by_code": dict(sorted(self.reason_counts.items())),
        }


def no_jit(session: Session) -> None:
    """PostgreSQL's JIT spends seconds compiling these large plans and saves less: off for
    the rest of this transaction."""
    if is_postgres(session):
        session.execute(text("SET LOCAL jit = off"))


def province_figures(session: Session, as_of: date) -> list[ProvinceFigures]:
    """Each unit's figures on `as_of`: from the merger of 01/07/2025 on, a merged province's
    are its predecessors' added up (`units`), except its plan once the merged province has a
    plan of its own approved from the merger on, which then replaces theirs."""
    year = as_of.year
    no_jit(session)
    rows = session.execute(text(FIGURES_SQL), {"d": as_of.toordinal(), "y": year}).all()
    merger = MERGER.toordinal()
    totals: dict[tuple[str, str], list[int]] = {}
    own_plan: dict[tuple[str, str], int] = {}
    for code, fund, allocated, plan_day, committed, disbursed, proposals, refunded, owed in rows:
        key = (unit_code(code, as_of), fund)
        t = totals.setdefault(key, [0, 0, 0, 0, 0, 0])
        for i, value in enumerate((allocated, committed, disbursed, proposals, refunded, owed)):
            t[i] += int(value)
        if code == key[0] and plan_day is not None and plan_day >= merger:
            own_plan[key] = int(allocated)
    figures = []
    for (code, fund), figures_of in sorted(totals.items()):
        allocated, committed, disbursed, proposals, refunded, owed = figures_of
        unit = province_on(code, as_of) or province_on(code, date(year, 1, 1))
        figures.append(
            ProvinceFigures(
                code,
                fund,
                year,
                own_plan.get((code, fund), allocated),
                committed,
                disbursed,
                proposals,
                unit.region if unit else None,
                unit.name if unit else code,
                refunded_vnd=refunded,
                owed_vnd=owed,
            )
        )
    return figures
