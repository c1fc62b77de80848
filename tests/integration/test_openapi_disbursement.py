"""The running disbursement service answers exactly as contracts/openapi.yaml says.

(a) Real responses of every endpoint, on a plan, two contracts (announced as the proposals
service would) and payments, are validated against the document's response schemas with the
helpers of test_openapi.py. (b) schemathesis generates requests for the service's own GET
endpoints and checks the answers against the document.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
import requests

from tests.integration.test_openapi import (
    OPENAPI,
    check_response,
    document,
    error_code,
    post_raw,
)
from tests.support import money
from tests.support.auth import openapi_schema
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration

EVENTS = "/api/v1/events"
PLANS = "/api/v1/plans"
RATES = "/api/v1/disbursement-rates"
LEDGER = "/api/v1/proposals/{proposal_id}/ledger"
OVERDUE = "/api/v1/overdue-evaluations"


def ledger_of(harness: Any, pid: str, **params: Any) -> requests.Response:
    return harness.get(f"/api/v1/proposals/{pid}/ledger", **params)


def contract(harness: Any, event: dict[str, Any]) -> dict[str, Any]:
    """Announce a `contract_signed` and wait until the service has recorded it."""
    pid = event["data"]["proposal_id"]
    harness.broker.announce(event)
    wait_until(lambda: ledger_of(harness, pid).status_code == 200, 15, f"the contract of {pid}")
    return check_response(LEDGER, "GET", ledger_of(harness, pid))


def evaluate(harness: Any, body: Any = None, **kwargs: Any) -> requests.Response:
    if body is not None:
        kwargs["json"] = body
    return requests.post(f"{harness.base}{OVERDUE}", timeout=10, **kwargs)


def applied(harness: Any, event: dict[str, Any]) -> None:
    body = check_response(EVENTS, "POST", harness.post(event))
    assert body == {"id": event["id"], "source": event["source"], "outcome": "applied"}


def refused(harness: Any, event: dict[str, Any], status: int, code: str) -> None:
    answer = harness.post(event)
    assert answer.status_code == status, (code, answer.text)
    assert error_code(check_response(EVENTS, "POST", answer)) == code


def seed(h: Any) -> None:
    """Plans of 74 for 2015 and 2016 (national adjusted once), two contracts, one advance."""
    applied(h, money.plan("74", 2015, "national", 2_000_000_000))
    applied(h, money.plan("74", 2016, "national", 2_500_000_000))
    applied(h, money.plan("74", 2016, "local", 1_000_000_000))
    applied(
        h,
        money.plan(
            "74", 2016, "national", 2_650_000_000, adjusted=True, time="2016-06-01T08:00:00+07:00"
        ),
    )
    contract(h, money.contract_signed("DB-1", 150_000_000))
    contract(
        h, money.contract_signed("DB-2", 300_000_000, repayments=[("2017-06-30", 300_000_000)])
    )
    applied(h, money.payment("DB-1", 100_000_000, voucher="UNC-1"))


# --- (a) real responses of every endpoint -------------------------------------------------


def test_every_disbursement_endpoint_answers_as_the_openapi_document_says(disbursement):
    h = disbursement
    seed(h)

    # 202 duplicate: the same (source, id) again, also as plain application/json
    again = money.payment("DB-1", 1_000_000, voucher="UNC-2")
    applied(h, again)
    duplicate = post_raw(h.base, json.dumps(again), "application/json")
    assert check_response(EVENTS, "POST", duplicate)["outcome"] == "duplicate"
    applied(h, money.repayment("DB-2", 100_000_000, "2017-07-15"))

    # 409 and 422: each refusal of the rules, with its code
    refused(h, money.payment("DB-1", 1, voucher="UNC-1"), 409, "voucher_used")
    refused(h, money.payment("DB-1", 4_000_001), 422, "over_advance_cap")  # 101 M + 4 M + 1
    refused(h, money.payment("DB-1", 49_000_001), 422, "over_contract")
    refused(h, money.payment("DB-1", 1, "final"), 409, "not_accepted")
    refused(h, money.payment("DB-404", 1), 409, "unknown_commitment")
    refused(h, money.repayment("DB-1", 1, "2017-07-15"), 422, "not_recoverable")
    refused(h, money.repayment("DB-2", 200_000_001, "2017-07-16"), 422, "over_repayment")
    refused(h, money.plan("74", 2016, "national", 1), 409, "illegal_transition")
    refused(h, money.plan("75", 2016, "national", 1, adjusted=True), 409, "prerequisite_missing")
    refused(h, money.plan("99", 2016, "national", 1), 422, "unknown_province")
    extra = money.payment("DB-1", 1)
    extra["data"]["note"] = "not in the schema"
    refused(h, extra, 422, "schema_violation")

    # 400, 415 and 422 of the parser
    floating = json.dumps(money.payment("DB-1", 1_000_000)).replace("1000000", "1000000.0")
    cases = {
        ("amount_not_integer", 422): post_raw(h.base, floating),
        ("not_json", 400): post_raw(h.base, b"{oops"),
        ("not_cloudevent", 400): post_raw(h.base, b"[]"),
        ("unknown_type", 400): h.post(money.contract_signed("DB-3", 1)),  # AMQP only here
        ("unsupported_media_type", 415): post_raw(
            h.base, json.dumps(money.payment("DB-1", 1)), "text/plain"
        ),
    }
    for (code, status), answer in cases.items():
        assert answer.status_code == status, code
        assert error_code(check_response(EVENTS, "POST", answer)) == code

    # GET /api/v1/plans: the adjusted plan is in force, with both versions and 2015 to compare
    plans = check_response(PLANS, "GET", h.get(PLANS, year=2016))
    assert [(p["province"], p["source_fund"]) for p in plans["items"]] == [
        ("74", "local"),
        ("74", "national"),
    ]
    local, national = plans["items"]
    assert national["province_name"] == "Bình Dương"
    assert (national["amount_vnd"], national["version"]) == (2_650_000_000, 2)
    assert (national["previous_year_vnd"], national["change_percent"]) == (2_000_000_000, 32.5)
    assert [(v["version"], v["amount_vnd"], v["adjusted"]) for v in national["versions"]] == [
        (1, 2_500_000_000, False),
        (2, 2_650_000_000, True),
    ]
    assert (local["previous_year_vnd"], local["change_percent"]) == (None, None)
    assert [(t["source_fund"], t["amount_vnd"], t["change_percent"]) for t in plans["totals"]] == [
        ("national", 2_650_000_000, 32.5),
        ("local", 1_000_000_000, None),
        ("all", 3_650_000_000, 82.5),
    ]
    one = h.get(PLANS, year=2016, province="74", source_fund="national", region="south_2016")
    assert [p["source_fund"] for p in check_response(PLANS, "GET", one)["items"]] == ["national"]
    elsewhere = check_response(PLANS, "GET", h.get(PLANS, year=2016, region="red_river_delta"))
    assert elsewhere["items"] == [] and elsewhere["totals"][-1]["amount_vnd"] == 0
    for params in ({}, {"year": 1999}, {"year": "soon"}, {"year": 2016, "source_fund": "odd"}):
        bad = h.get(PLANS, **params)
        assert bad.status_code == 400, params
        assert error_code(check_response(PLANS, "GET", bad)) == "bad_query"
    nowhere = h.get(PLANS, year=2016, region="atlantis")
    assert error_code(check_response(PLANS, "GET", nowhere)) == "bad_query"

    # GET /api/v1/disbursement-rates, worked out by hand:
    # end of 2016: allocated 2,650 M + 1,000 M; committed 150 M + 300 M; disbursed 101 M
    rates = check_response(RATES, "GET", h.get(RATES, year=2016, as_of="2016-12-31"))
    row = {
        "province": "74",
        "province_name": "Bình Dương",
        "allocated_vnd": 3_650_000_000,
        "committed_vnd": 450_000_000,
        "disbursed_vnd": 101_000_000,
        "refund_due_vnd": 0,
        "owed_vnd": 0,
        "rate": 0.0277,
    }
    assert rates == {
        "year": 2016,
        "source_fund": None,
        "as_of": "2016-12-31",
        "items": [row],
        "total": {**row, "province": None, "province_name": "total"},
    }
    # 1 March 2016: the first national version only, nothing signed or paid yet
    march = check_response(RATES, "GET", h.get(RATES, year=2016, as_of="2016-03-01"))
    assert march["total"]["allocated_vnd"] == 3_500_000_000
    assert (march["total"]["committed_vnd"], march["total"]["disbursed_vnd"]) == (0, 0)
    assert march["total"]["rate"] == 0.0
    national_rates = h.get(
        RATES, year=2016, source_fund="national", region="south_2016", as_of="2016-12-31"
    )
    south = check_response(RATES, "GET", national_rates)
    assert len(south["items"]) == 20 and south["source_fund"] == "national"
    assert south["total"]["allocated_vnd"] == 2_650_000_000
    assert south["total"]["rate"] == 0.0381  # 101 M / 2,650 M
    assert sum(r["rate"] is None for r in south["items"]) == 19
    today = check_response(RATES, "GET", h.get(RATES, year=2016))
    assert today["as_of"] == date.today().isoformat()
    for params in ({}, {"year": 2016, "as_of": "31/12/2016"}, {"year": 2016, "region": "x"}):
        bad = h.get(RATES, **params)
        assert bad.status_code == 400, params
        assert error_code(check_response(RATES, "GET", bad)) == "bad_query"

    # GET /api/v1/proposals/{id}/ledger: tranches with status, every line
    ledger = check_response(LEDGER, "GET", ledger_of(h, "DB-1", as_of="2016-05-01"))
    assert (ledger["stage"], ledger["contract_vnd"], ledger["paid_vnd"]) == (
        "contracted",
        150_000_000,
        101_000_000,
    )
    assert [(t["due_total_vnd"], t["status"]) for t in ledger["tranches"]] == [
        (105_000_000, "overdue"),
        (150_000_000, "due"),
    ]
    assert [(e["kind"], e["amount_vnd"], e["voucher_no"]) for e in ledger["entries"]] == [
        ("commitment", 150_000_000, None),
        ("advance", 100_000_000, "UNC-1"),
        ("advance", 1_000_000, "UNC-2"),
    ]
    recoverable = check_response(LEDGER, "GET", ledger_of(h, "DB-2", as_of="2017-07-15"))
    assert recoverable["recoverable"] is True
    assert (recoverable["repaid_vnd"], recoverable["arrears_vnd"]) == (100_000_000, 200_000_000)
    assert recoverable["repayments"] == [{"due_on": "2017-06-30", "amount_vnd": 300_000_000}]
    missing = ledger_of(h, "DB-404")
    assert missing.status_code == 404
    assert error_code(check_response(LEDGER, "GET", missing)) == "not_found"
    bad_day = ledger_of(h, "DB-1", as_of="tomorrow")
    assert bad_day.status_code == 400
    assert error_code(check_response(LEDGER, "GET", bad_day)) == "bad_query"

    # POST /api/v1/overdue-evaluations: each tranche and instalment raised once, ever
    may = check_response(OVERDUE, "POST", evaluate(h, {"as_of": "2016-05-01"}))
    assert may["as_of"] == "2016-05-01"
    assert sorted((r["type"], r["proposal_id"]) for r in may["raised"]) == [
        ("tranche_overdue", "DB-1"),
        ("tranche_overdue", "DB-2"),
    ]
    first = next(r for r in may["raised"] if r["proposal_id"] == "DB-1")["data"]
    assert (first["tranche_index"], first["shortfall_vnd"]) == (0, 4_000_000)
    assert check_response(OVERDUE, "POST", evaluate(h, {"as_of": "2016-05-01"}))["raised"] == []
    august = check_response(OVERDUE, "POST", evaluate(h, {"as_of": "2017-08-01"}))
    assert sorted((r["type"], r["proposal_id"]) for r in august["raised"]) == [
        ("repayment_overdue", "DB-2"),
        ("tranche_overdue", "DB-1"),
        ("tranche_overdue", "DB-2"),
    ]
    instalment = next(r for r in august["raised"] if r["type"] == "repayment_overdue")["data"]
    assert (instalment["arrears_vnd"], instalment["grace_days"]) == (200_000_000, 30)
    bad = evaluate(h, {"as_of": "yesterday"})
    assert bad.status_code == 400
    assert error_code(check_response(OVERDUE, "POST", bad)) == "bad_query"
    # no body: today
    assert check_response(OVERDUE, "POST", evaluate(h))["as_of"] == date.today().isoformat()

    # nothing refused was applied
    after = check_response(LEDGER, "GET", ledger_of(h, "DB-1"))
    assert (after["advances_vnd"], after["payments_vnd"]) == (101_000_000, 0)
    assert len(after["entries"]) == 3

    # the event log: what the relay published, in order, readable page by page
    log = "/api/v1/event-log"
    wait_until(
        lambda: len(h.get(log).json()["events"]) == 14, 15, "the announcements to be published"
    )
    page = check_response(log, "GET", h.get(log, limit=2))
    assert [e["type"] for e in page["events"]] == ["plan_approved", "plan_approved"]
    rest = check_response(log, "GET", h.get(log, after=page["next"]))
    types = [e["type"] for e in page["events"] + rest["events"]]
    assert types.count("plan_approved") == 4 and types.count("commitment_recorded") == 2
    assert types.count("disbursement_recorded") == 2 and types.count("repayment_recorded") == 1
    assert types.count("tranche_overdue") == 4 and types.count("repayment_overdue") == 1
    assert check_response(log, "GET", h.get(log, after=rest["next"])) == {
        "events": [],
        "next": rest["next"],
    }
    bad_limit = h.get(log, limit=0)
    assert bad_limit.status_code == 400
    assert error_code(check_response(log, "GET", bad_limit)) == "bad_query"

    # health and metrics, documented once for every service
    assert check_response("/health/live", "GET", h.get("/health/live")) == {"status": "live"}
    ready = check_response("/health/ready", "GET", h.get("/health/ready"))
    assert ready == {"status": "ready", "checks": {"database": True, "broker": True}}
    assert "grantflow_entrypoint_calls_total" in check_response(
        "/metrics", "GET", h.get("/metrics")
    )
    unknown = h.get("/api/v1/proposals/DB-1")  # the proposals service's path, not served here
    assert unknown.status_code == 404 and error_code(unknown.json()) == "not_found"


def test_an_overdue_evaluation_whose_body_is_json_but_not_an_object_is_a_bad_query(
    disbursement,
):
    answer = evaluate(disbursement, ["2016-05-01"])
    assert answer.status_code == 400
    assert error_code(check_response(OVERDUE, "POST", answer)) == "bad_query"


# --- (b) schemathesis against the live service, the disbursement GET endpoints -------------


def test_schemathesis_finds_no_server_error_and_no_undocumented_answer_on_disbursement_gets(
    disbursement,
):
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    seed(disbursement)
    schema = openapi_schema(OPENAPI)  # with the default token, not one schemathesis invents
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    operations = [("GET", PLANS), ("GET", RATES), ("GET", LEDGER)]
    documented = {
        ("GET", path)
        for path, item in document()["paths"].items()
        if item.get("get", {}).get("x-service") == "disbursement"
    }
    assert set(operations) == documented

    statuses: dict[str, set[int]] = {}

    def explore(path: str, method: str) -> None:
        @settings(
            max_examples=20,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=schema[path][method].as_strategy())
        def run(case: Any) -> None:
            response = case.call_and_validate(base_url=disbursement.base, checks=checks)
            statuses.setdefault(path, set()).add(response.status_code)

        run()

    for method, path in operations:
        explore(path, method)

    assert set(statuses) == {path for _, path in operations}, statuses
    assert 200 in statuses[PLANS] and 200 in statuses[RATES]
    assert 404 in statuses[LEDGER]
