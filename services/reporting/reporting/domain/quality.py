"""A province's data-quality score: how far its figures can be trusted, from what grantflow
sees of its data. Standard library only.

Four shares, each 0 (all well) to 1 (all wrong), weigh the same:
  - dead letters: its messages refused (dead-lettered, not re-driven) over its proposals plus
    those messages;
  - late or out of order: its proposals with an event sent more than 30 days after the day it
    reports, or dated before one already received, over its proposals;
  - progress reports missing: contracts whose monthly report is missing by the due day, over
    the contracts that owed one;
  - no beneficiary: proposals submitted without the beneficiary's name, over its proposals.
score = 100 x (1 - the mean of the four), one decimal; None with nothing to judge.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass
class Quality:
    proposals: int = 0
    dead_letters: int = 0
    late_or_out_of_order: int = 0
    reports_due: int = 0
    reports_missing: int = 0
    without_beneficiary: int = 0

    def add(self, other: Quality) -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)

    def shares(self) -> dict[str, float]:
        return {
            "dead_letters": _share(self.dead_letters, self.proposals + self.dead_letters),
            "late_or_out_of_order": _share(self.late_or_out_of_order, self.proposals),
            "reports_missing": _share(self.reports_missing, self.reports_due),
            "without_beneficiary": _share(self.without_beneficiary, self.proposals),
        }

    @property
    def score(self) -> float | None:
        if not (self.proposals or self.dead_letters):
            return None
        shares = self.shares().values()
        return round(100 * (1 - sum(shares) / len(shares)), 1)

    def as_dict(self) -> dict[str, object]:
        return {"score": self.score, **asdict(self)}


def _share(part: int, whole: int) -> float:
    return min(1.0, part / whole) if whole > 0 else 0.0
