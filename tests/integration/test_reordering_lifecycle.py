"""Out-of-order events through the real broker and database (issue 12, §1): a contract that
arrives after its proposal's later-dated cancellation, and plan adjustments that arrive
latest-dated first. Proposals, disbursement and reporting must all end right, no dead letter.
"""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import text

from tests.support import events as ev
from tests.support import money

PID = "BD-2016-KC-077"
CONTRACT = 150_000_000
ADVANCE = CONTRACT * 70 // 100


def dated(built: dict[str, Any], on: str) -> dict[str, Any]:
    built = copy.deepcopy(built)
    built["time"] = f"{on}T08:00:00+07:00"
    return built


def province_row(pipeline, service: str, path: str, **params: Any) -> dict[str, Any]:
    items = pipeline.get(service, path, year=2016, as_of="2016-12-31", **params).json()["items"]
    return next(r for r in items if r["province"] == "74")


def dead_letters(pipeline) -> list[tuple[str, str]]:
    with pipeline.engine.connect() as conn:
        return [
            tuple(r) for r in conn.execute(text("SELECT type, code FROM reporting_dead_letter"))
        ]


def test_a_contract_after_its_later_dated_cancellation_is_recorded_cancelled_everywhere(pipeline):
    broker = pipeline.broker
    broker.publish_all(
        [
            dated(ev.submitted(PID), "2016-03-01"),
            dated(ev.appraised(PID), "2016-03-20"),
            dated(ev.approved(PID), "2016-04-05"),
            money.plan("74", 2016, "national", 2_500_000_000),
        ]
    )
    pipeline.quiet()
    broker.publish(dated(ev.cancelled(PID), "2016-07-01"))  # overtakes the contract
    pipeline.quiet()
    broker.publish_all(
        [
            dated(ev.contract_signed(PID), "2016-04-20"),
            dated(ev.progress(PID, 40, "2016-06-20"), "2016-06-20"),
        ]
    )
    pipeline.quiet()  # the late contract projected alone (reporting reads its money then)
    broker.publish(money.payment(PID, ADVANCE, "advance", "UNC-77-1", "2016-04-25"))
    pipeline.quiet()

    proposal = pipeline.get("proposals", f"/api/v1/proposals/{PID}").json()
    assert proposal["state"] == "cancelled"
    assert proposal["contract_vnd"] == CONTRACT
    ledger = pipeline.get(
        "disbursement", f"/api/v1/proposals/{PID}/ledger", as_of="2016-12-31"
    ).json()
    assert ledger["paid_vnd"] == ADVANCE
    kinds = [(e["kind"], e["amount_vnd"]) for e in ledger["entries"]]
    assert ("commitment", CONTRACT) in kinds and ("release", CONTRACT) in kinds
    assert ("commitment", ADVANCE) in kinds  # the advance, dated before the cancellation
    rates = province_row(pipeline, "disbursement", "/api/v1/disbursement-rates")
    report = province_row(pipeline, "reporting", "/api/v1/reports/provinces")
    assert (rates["committed_vnd"], rates["disbursed_vnd"]) == (ADVANCE, ADVANCE)
    assert (report["committed_vnd"], report["disbursed_vnd"]) == (ADVANCE, ADVANCE)
    assert dead_letters(pipeline) == []


def test_an_older_adjustment_arriving_late_leaves_the_later_one_in_force(pipeline):
    approval = money.plan("74", 2016, "national", 2_500_000_000)
    july = money.plan("74", 2016, "national", 3_200_000_000, True, "2016-07-15T08:00:00+07:00")
    september = money.plan("74", 2016, "national", 2_800_000_000, True, "2016-09-15T08:00:00+07:00")
    pipeline.broker.publish_all([september, approval])  # September's waits for the approval
    pipeline.quiet()
    pipeline.broker.publish(july)
    pipeline.quiet()

    for as_of, amount in (("2016-12-31", 2_800_000_000), ("2016-08-01", 3_200_000_000)):
        rates = pipeline.get(
            "disbursement", "/api/v1/disbursement-rates", year=2016, as_of=as_of
        ).json()
        row = next(r for r in rates["items"] if r["province"] == "74")
        report = pipeline.get(
            "reporting", "/api/v1/reports/provinces", year=2016, as_of=as_of
        ).json()
        reported = next(r for r in report["items"] if r["province"] == "74")
        assert (row["allocated_vnd"], reported["allocated_vnd"]) == (amount, amount), as_of
    plan = pipeline.get("disbursement", "/api/v1/plans", year=2016).json()["items"][0]
    assert plan["amount_vnd"] == 2_800_000_000  # the plan in force: September's
    assert [(v["amount_vnd"], v["occurred_at"][:10]) for v in plan["versions"]] == [
        (2_500_000_000, "2016-01-15"),
        (2_800_000_000, "2016-09-15"),
        (3_200_000_000, "2016-07-15"),  # July's, arrived late: in force from July
        (2_800_000_000, "2016-09-15"),  # September's again, as of September
    ]
    assert plan["versions"][3]["event_id"] == september["id"]  # recorded again, not invented
    assert dead_letters(pipeline) == []
