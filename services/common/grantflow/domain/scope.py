"""The scope a plan budgets and a proposal spends: a province, a year, a source fund."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

Fund = Literal["national", "local"]
FUNDS: tuple[Fund, ...] = ("national", "local")  # khuyến công quốc gia, khuyến công địa phương


class Scope(NamedTuple):
    """``Scope("80", 2016, "national").key == "80:2016:national"``."""

    province: str
    year: int
    source_fund: str

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Scope:
        """The scope of an event's data or a row: its province, year and source_fund."""
        return cls(data["province"], data["year"], data["source_fund"])

    def of_proposal(self, proposal_id: str) -> dict[str, Any]:
        """What every event and row about a proposal of this scope names first: its id, then
        the scope's fields."""
        return {"proposal_id": proposal_id, **self._asdict()}

    @property
    def key(self) -> str:
        """The scope as one string (a plan's key, an event's subject, an alert's fingerprint)."""
        return f"{self.province}:{self.year}:{self.source_fund}"
