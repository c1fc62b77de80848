"""Work per proposal grows linearly with its tranches: the ledger read and the overdue timer.

Before, both summed the schedule from its start again for every tranche (sorting it each
time): quadratic, and under eventlet a whole process stood still meanwhile. The contract now
caps a schedule at 360 lines; the commitments here are stored directly, far beyond that, to
show the growth: four times the tranches may cost about four times the time, not sixteen.
"""

from __future__ import annotations

import time
from datetime import date, timedelta

import requests
from sqlalchemy.orm import Session

from tests.integration.conftest import Harness
from tests.support.auth import header


def _commit(harness: Harness, pid: str, tranches: int) -> None:
    from disbursement.adapters import repository
    from disbursement.domain.model import Commitment, Line

    start = date(2016, 1, 1)
    lines = [Line(start + timedelta(days=i % 3000), 1_000) for i in range(tranches)]
    with Session(harness.engine) as session:
        repository.save_commitments(
            session,
            [
                Commitment(
                    proposal_id=pid,
                    province="74",
                    year=2016,
                    source_fund="national",
                    activity="training",
                    contract_no=f"HĐ-{pid}",
                    contract_vnd=1_000 * tranches,
                    signed_on=start,
                    tranches=lines[::-1],  # not in due order: the code must sort them
                )
            ],
        )
        session.commit()


def _timed(call: object) -> float:
    best = float("inf")
    for _ in range(2):  # the better of two: the machine is shared
        began = time.perf_counter()
        call()  # type: ignore[operator]
        best = min(best, time.perf_counter() - began)
    return best


def _ledger(harness: Harness, pid: str) -> None:
    response = requests.get(
        f"{harness.base}/api/v1/proposals/{pid}/ledger",
        params={"as_of": "2030-01-01"},
        headers=header(),
        timeout=300,
    )
    assert response.status_code == 200, response.text


def test_the_ledger_read_is_linear_in_tranches(disbursement: Harness):
    small, large = 2_000, 8_000
    _commit(disbursement, "LIN-S", small)
    _commit(disbursement, "LIN-L", large)
    t_small = _timed(lambda: _ledger(disbursement, "LIN-S"))
    t_large = _timed(lambda: _ledger(disbursement, "LIN-L"))
    print("ledger", t_small, t_large)
    assert t_large < 8 * t_small + 0.5, (t_small, t_large)  # quadratic: about 16 times


def test_the_overdue_timer_is_linear_in_tranches(disbursement: Harness):
    from disbursement import handlers

    def evaluate(n: int) -> float:
        pid = f"LIN-O-{n}"
        _commit(disbursement, pid, n)
        began = time.perf_counter()
        with Session(disbursement.engine) as session:
            raised = handlers.raise_overdue(session, date(2030, 1, 1), 30)
        elapsed = time.perf_counter() - began
        assert len(raised) == n  # every tranche overdue, each announced once
        return elapsed

    t_small = evaluate(1_500)
    t_large = evaluate(6_000)
    print("overdue", t_small, t_large)
    assert t_large < 8 * t_small + 1.0, (t_small, t_large)  # quadratic: about 16 times
