"""Plans (kế hoạch kinh phí), commitments (contracts) and the ledger of what was paid."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from grantflow.domain import Scope


class Stage(StrEnum):
    """The disbursement service's copy of a proposal's state, from the proposals' events."""

    CONTRACTED = "contracted"
    ACCEPTED = "accepted"
    SETTLED = "settled"
    CANCELLED = "cancelled"


class EntryKind(StrEnum):
    """Ledger lines. Append-only: a correction is a reversing line, never an update."""

    COMMITMENT = "commitment"
    RELEASE = "release"
    ADVANCE = "advance"
    PAYMENT = "payment"
    FINAL = "final"
    REFUND_DUE = "refund_due"
    PAYABLE = "payable"  # settled and not yet paid, at settlement: still owed to the beneficiary
    PAYABLE_PAID = "payable_paid"  # the part of a later payment that pays what was payable
    REPAYMENT = "repayment"


DISBURSED = frozenset({EntryKind.ADVANCE, EntryKind.PAYMENT, EntryKind.FINAL})


@dataclass(frozen=True, slots=True)
class Line:
    """A scheduled amount: a contract tranche or a repayment instalment."""

    due_on: date
    amount_vnd: int


@dataclass(frozen=True, slots=True)
class Entry:
    kind: EntryKind
    amount_vnd: int
    on: date
    voucher_no: str | None = None


@dataclass(slots=True)
class Plan:
    province: str
    year: int
    source_fund: str
    amount_vnd: int
    version: int
    decision_no: str | None = None
    at: datetime | None = None  # when the decision took effect: its event's time
    cause: tuple[str, str] | None = None  # the (source, id) of the event that decided it

    @property
    def key(self) -> str:
        return Scope(self.province, self.year, self.source_fund).key


@dataclass(slots=True)
class Commitment:
    proposal_id: str
    province: str
    year: int
    source_fund: str
    activity: str
    contract_no: str
    contract_vnd: int
    signed_on: date
    tranches: list[Line]
    recoverable: bool = False
    repayments: list[Line] = field(default_factory=list)
    stage: Stage = Stage.CONTRACTED
    version: int = 0  # counts the commitment's announced events
    accepted_on: date | None = None
    advances_vnd: int = 0
    payments_vnd: int = 0
    repaid_vnd: int = 0
    settled_vnd: int | None = None
    settled_on: date | None = None
    cancelled_on: date | None = None
    vouchers: list[str] = field(default_factory=list)

    @property
    def paid_vnd(self) -> int:
        return self.advances_vnd + self.payments_vnd

    @property
    def refund_due_vnd(self) -> int:
        """What the beneficiary must pay back: paid beyond the settled amount."""
        return max(0, self.paid_vnd - self.settled_vnd) if self.settled_vnd is not None else 0

    @property
    def owed_vnd(self) -> int:
        """What is still payable to the beneficiary: settled and not yet paid."""
        return max(0, self.settled_vnd - self.paid_vnd) if self.settled_vnd is not None else 0

    def keys(self) -> dict[str, object]:
        return Scope(self.province, self.year, self.source_fund).of_proposal(self.proposal_id)


def due_by(lines: list[Line], on: date) -> int:
    """What a schedule asks to have been paid by `on` (inclusive)."""
    return sum(line.amount_vnd for line in lines if line.due_on <= on)


def overdue(lines: list[Line], settled_vnd: int, as_of: date, grace_days: int = 0) -> list[int]:
    """Indexes of the lines past due (plus grace) while what was paid is below what was due."""
    late = []
    running = 0
    for index, line in enumerate(sorted(lines, key=lambda x: x.due_on)):
        running += line.amount_vnd
        if (as_of - line.due_on).days > grace_days and settled_vnd < running:
            late.append(index)
    return late


def schedule(lines: list[Line]) -> list[tuple[Line, int]]:
    """The lines in due order, each with what is due in total by it, in one pass (a caller
    looping over `cumulative` would sort and sum the schedule once per line)."""
    running = 0
    ordered = []
    for line in sorted(lines, key=lambda x: x.due_on):
        running += line.amount_vnd
        ordered.append((line, running))
    return ordered


def cumulative(lines: list[Line], index: int) -> int:
    ordered = sorted(lines, key=lambda x: x.due_on)
    return sum(line.amount_vnd for line in ordered[: index + 1])
