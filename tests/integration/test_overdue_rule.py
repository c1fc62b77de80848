"""The overdue rule exists twice: in Python (disbursement's `overdue`, which raises
`tranche_overdue` and `repayment_overdue`) and in SQL (reporting's lag evaluation, whose
reasons of the same names make a province lag). Both run here on the same cases, on
PostgreSQL and on SQLite, and must flag the same proposals.

A line is overdue when its due day plus the grace (repayments only) is before the day
evaluated and what was paid is below the running total due through that line.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from disbursement.domain.model import Line, overdue
from tests.integration.test_lag_evaluation import read_models  # noqa: F401 (the fixture)
from tests.support import readmodels as rm

AS_OF = date(2016, 9, 30)
GRACES = (0, 30)


@dataclass(frozen=True)
class Case:
    kind: str  # tranche | repayment
    due: tuple[tuple[int, int], ...]  # (days before AS_OF, amount in dong)
    paid: int  # in dong, all paid before AS_OF

    def lines(self) -> list[Line]:
        return [Line(AS_OF - timedelta(days=back), amount) for back, amount in self.due]


HAND_MADE = [
    Case("tranche", ((1, 10),), 0),  # due yesterday, nothing paid
    Case("tranche", ((0, 10),), 0),  # due today: not yet
    Case("tranche", ((1, 10),), 10),  # paid in full
    Case("tranche", ((40, 10), (1, 10)), 10),  # the second is late
    Case("tranche", ((40, 10), (-5, 10)), 10),  # the second is not due
    Case("repayment", ((30, 10),), 0),  # exactly the grace: not yet
    Case("repayment", ((31, 10),), 0),  # a day past the grace
    Case("repayment", ((31, 10), (90, 10)), 10),  # paid the first, the later one unpaid
    Case("repayment", ((200, 10), (100, 10)), 20),  # all repaid
    Case("repayment", ((200, 10), (100, 10)), 19),  # a dong short
]


def random_cases(n: int, seed: int = 16) -> list[Case]:
    rng = random.Random(seed)
    cases = []
    for _ in range(n):
        due = tuple(
            (rng.randint(-20, 120), rng.choice((5, 10, 25))) for _ in range(rng.randint(1, 4))
        )
        total = sum(amount for _, amount in due)
        cases.append(Case(rng.choice(("tranche", "repayment")), due, rng.randint(0, total)))
    return cases


CASES = HAND_MADE + random_cases(60)


def python_flags(case: Case, grace: int) -> bool:
    """Disbursement's rule, as `raise_overdue` calls it."""
    return bool(overdue(case.lines(), case.paid, AS_OF, grace if case.kind == "repayment" else 0))


def sql_flags(engine: Engine, grace: int) -> set[str]:
    """The proposals reporting's evaluation gives a tranche_overdue or repayment_overdue."""
    from reporting.adapters.evaluation import evaluate, first_reasons
    from reporting.domain.lag import LagRules

    rules = LagRules(repayment_grace_days=grace)
    with Session(engine) as session:
        evaluate(session, rules, AS_OF, keep=True)
        found = {
            r["proposal_id"]
            for reasons in first_reasons(session, rules, AS_OF, 10_000).values()
            for r in reasons
            if r["reason"] in ("tranche_overdue", "repayment_overdue")
        }
        session.rollback()
    return found


def test_the_cases_cover_both_answers_for_both_kinds() -> None:
    answers = {(c.kind, python_flags(c, g)) for c in CASES for g in GRACES}
    assert answers == {(k, a) for k in ("tranche", "repayment") for a in (True, False)}


@pytest.mark.parametrize("grace", GRACES)
def test_python_and_sql_flag_the_same_proposals(read_models: Engine, grace: int) -> None:  # noqa: F811
    with read_models.begin() as conn:
        for i, case in enumerate(CASES):
            pid = f"P{i:03}"
            rm.proposal(conn, pid, approved="2016-01-20", signed="2016-02-01")
            rm.schedule(conn, pid, case.kind, [(d.isoformat(), a) for d, a in _due(case)])
            if case.paid:
                kind = "disbursed" if case.kind == "tranche" else "repaid"
                rm.money(conn, pid, kind, case.paid, "2016-02-02")
    expected = {f"P{i:03}" for i, case in enumerate(CASES) if python_flags(case, grace)}
    assert expected, "no case is overdue: the comparison would prove nothing"
    assert sql_flags(read_models, grace) == expected


def _due(case: Case) -> list[tuple[date, int]]:
    return [(line.due_on, line.amount_vnd) for line in case.lines()]
