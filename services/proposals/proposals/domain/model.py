"""A proposal (đề án khuyến công) and its lifecycle states."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from grantflow.domain import Scope


class State(StrEnum):
    SUBMITTED = "submitted"
    IN_APPRAISAL = "in_appraisal"
    REVISION = "revision"
    APPROVED = "approved"
    REJECTED = "rejected"
    CONTRACTED = "contracted"
    IN_PROGRESS = "in_progress"
    ACCEPTED = "accepted"
    SETTLED = "settled"
    CANCELLED = "cancelled"


# How far along the road to settlement a state is: an event that needs a later state than the
# proposal's is early (its prerequisite may still arrive); one that needs an earlier state is
# illegal. Terminal states accept nothing.
RANK = {
    State.SUBMITTED: 0,
    State.REVISION: 0,
    State.IN_APPRAISAL: 1,
    State.APPROVED: 2,
    State.CONTRACTED: 3,
    State.IN_PROGRESS: 4,
    State.ACCEPTED: 5,
    State.SETTLED: 6,
}
TERMINAL = frozenset({State.REJECTED, State.CANCELLED, State.SETTLED})


@dataclass(frozen=True, slots=True)
class Line:
    """One scheduled amount: a contract tranche or a repayment instalment."""

    due_on: date
    amount_vnd: int


@dataclass(slots=True)
class Proposal:
    proposal_id: str
    province: str
    year: int
    source_fund: str
    activity: str
    title: str
    requested_vnd: int
    counterpart_vnd: int
    planned_start: date
    planned_end: date
    targets: dict[str, Any] = field(default_factory=dict)
    beneficiary: dict[str, Any] | None = None
    beneficiary_ids: list[str] = field(default_factory=list)  # registry ids (issue 15)
    cluster_id: str | None = None
    already_supported: list[dict[str, Any]] = field(default_factory=list)  # set at appraisal
    already_supported_override: str | None = None  # the approval's reason to approve anyway
    state: State = State.SUBMITTED
    version: int = 0
    score: int | None = None
    appraisal_outcome: str | None = None
    appraisal_note: str | None = None
    ceiling_vnd: int | None = None
    over_ceiling: bool = False
    approved_vnd: int | None = None
    approved_on: date | None = None
    decision_no: str | None = None
    contract_no: str | None = None
    contract_vnd: int | None = None
    signed_on: date | None = None
    tranches: list[Line] = field(default_factory=list)
    recoverable: bool = False
    repayments: list[Line] = field(default_factory=list)
    percent_complete: float | None = None
    progress_as_of: date | None = None
    outputs: dict[str, Any] = field(default_factory=dict)
    accepted_on: date | None = None
    settled_vnd: int | None = None
    settled_on: date | None = None
    closing_reason: str | None = None
    closed_on: date | None = None  # the day it was cancelled or rejected
    # Where the proposal's history had got to when it was closed, carried forward by the
    # events dated before the closing that arrive after it (see lifecycle.py).
    reached: State | None = None

    @property
    def total_cost_vnd(self) -> int:
        """State support plus the beneficiary's counterpart funding (vốn đối ứng)."""
        return self.requested_vnd + self.counterpart_vnd

    def keys(self) -> dict[str, Any]:
        """What every domain event about this proposal carries, for others' read models."""
        scope = Scope(self.province, self.year, self.source_fund)
        return scope.of_proposal(self.proposal_id) | {"activity": self.activity}
