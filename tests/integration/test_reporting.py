"""Reporting with proposals and disbursement running: projections, lag, reports, metrics."""

from __future__ import annotations

import json

import pytest

from grantflow_tools import samples
from tests.support import money

AS_OF = "2016-06-30"


def _proposal(
    pid,
    province,
    *,
    contract=None,
    approved_on="2016-02-20",
    percent=None,
    start="2016-03-01",
    end="2016-08-31",
    activity="training",
    targets=None,
):
    events = [
        samples.submitted(
            pid,
            province=province,
            activity=activity,
            requested_vnd=600_000_000,
            counterpart_vnd=600_000_000,
            planned_start=start,
            planned_end=end,
            targets=targets or {"trainees": 20},
        ),
        samples.appraised(pid),
        {**samples.approved(pid, amount=500_000_000)},
    ]
    events[2]["data"]["approved_on"] = approved_on
    events[2]["time"] = f"{approved_on}T09:00:00+07:00"
    if contract:
        signed = samples.contract_signed(pid, amount=contract)
        signed["data"]["signed_on"] = "2016-03-01"
        events.append(signed)
    if percent is not None:
        events.append(samples.progress(pid, percent=percent, as_of="2016-06-20"))
    return events


def seed(pipeline):
    # 74 gets 875 M so that its 350 M advance (70% of a 500 M contract) is a 40% rate.
    for code, amount in (("74", 875_000_000), ("80", 1_000_000_000), ("92", 1_000_000_000)):
        plan = money.plan(code, 2016, "national", amount)
        assert pipeline.post("disbursement", "/api/v1/events", plan).status_code == 202
    assert (
        pipeline.post(
            "disbursement", "/api/v1/events", money.plan("74", 2015, "national", 900_000_000)
        ).status_code
        == 202
    )
    events = (
        _proposal("R-74", "74", contract=500_000_000, percent=50)
        + _proposal("R-80", "80", approved_on="2016-04-01")
        + _proposal("R-92", "92", contract=300_000_000, percent=10)
    )
    pipeline.broker.publish_all(events)
    pipeline.quiet()
    for pid, amount in (("R-74", 350_000_000), ("R-92", 100_000_000)):
        pay = money.payment(pid, amount, paid_on="2016-03-10")
        r = pipeline.post("disbursement", "/api/v1/events", pay)
        assert r.status_code == 202, r.text
    pipeline.quiet()


def evaluate(pipeline, as_of=AS_OF, announce=True):
    r = pipeline.post(
        "reporting", "/api/v1/lag-evaluations", {"as_of": as_of, "announce": announce}
    )
    assert r.status_code == 200, r.text
    return r.json()


def test_a_lag_evaluation_finds_the_lagging_provinces_with_their_evidence(pipeline):
    seed(pipeline)
    result = evaluate(pipeline)
    by_code = {p["province"]: p for p in result["provinces"]}
    assert (by_code["74"]["rate"], by_code["74"]["expected_rate"]) == (0.4, 0.3)
    assert by_code["74"]["level"] == "normal"
    assert by_code["80"]["level"] == "critical"  # nothing disbursed, no contract after 90 days
    assert [r["reason"] for r in by_code["80"]["reasons"]] == ["no_contract_30_days"]
    assert by_code["92"]["level"] == "critical"  # 10% disbursed, 30% expected
    # 10% done of a period two-thirds gone, and 100 M paid of the 210 M due by 30/04
    assert {r["reason"] for r in by_code["92"]["reasons"]} == {"progress_behind", "tranche_overdue"}
    # Long An against the other provinces of south_2016 (74 and 92): 450 M of 1,875 M
    assert by_code["80"]["regional_average"] == 0.24
    assert (by_code["80"]["comparison_group"], by_code["80"]["peers"]) == ("south_2016", 2)
    assert by_code["80"]["drivers"] == ["rate", "lagging_share"]  # 0% of 30%; 1 of 1 lags
    announced = {(a["type"], a["subject"]) for a in result["announced"]}
    assert announced == {
        ("province_lagging", "80:2016:national"),
        ("province_lagging", "92:2016:national"),
        ("proposal_overdue", "R-80"),
        ("proposal_overdue", "R-92"),
    }


def test_evaluating_the_same_date_twice_announces_nothing_twice(pipeline):
    seed(pipeline)
    assert evaluate(pipeline)["announced"]
    assert evaluate(pipeline)["announced"] == []
    warnings = pipeline.get("reporting", "/api/v1/warnings", year=2016).json()
    assert {(w["province"], w["level"]) for w in warnings["current"]} == {
        ("80", "critical"),
        ("92", "critical"),
    }
    assert len(warnings["history"]) == 2


def test_the_province_report_and_its_csv(pipeline):
    seed(pipeline)
    report = pipeline.get("reporting", "/api/v1/reports/provinces", year=2016, as_of=AS_OF).json()
    rows = {r["province"]: r for r in report["items"]}
    assert rows["74"]["allocated_vnd"] == 875_000_000
    assert rows["74"]["committed_vnd"] == 500_000_000
    assert rows["74"]["disbursed_vnd"] == 350_000_000
    assert rows["74"]["proposals_by_state"] == {"in_progress": 1}
    assert rows["80"]["proposals_by_state"] == {"approved": 1}
    assert rows["80"]["province_name"] == "Long An"
    assert rows["92"]["lagging_proposals"] == 1
    csv = pipeline.get(
        "reporting", "/api/v1/reports/provinces", year=2016, as_of=AS_OF, format="csv"
    )
    assert csv.headers["Content-Type"].startswith("text/csv")
    assert csv.content.startswith("\ufeff".encode())
    assert "Bình Dương" in csv.content.decode("utf-8-sig")


def test_the_regional_report_of_a_half_year(pipeline):
    seed(pipeline)
    report = pipeline.get(
        "reporting", "/api/v1/reports/regions/south_2016", period="2016-H1"
    ).json()
    national = next(f for f in report["funding"] if f["source_fund"] == "national")
    assert (national["amount_vnd"], national["previous_year_vnd"]) == (2_875_000_000, 900_000_000)
    assert report["provinces"] == 20
    assert report["disbursement"]["rate"] == round(450_000_000 / 2_875_000_000, 4)
    training = next(o for o in report["outputs"] if o["activity"] == "training")
    assert training["target"] == 60  # 20 trainees planned by each of three proposals
    assert training["achieved"] == 0  # the progress reports counted no trainees yet
    assert [p["province"] for p in report["lagging_provinces"]] == ["80", "92"]


def test_business_metrics_show_what_the_evaluation_found(pipeline):
    seed(pipeline)
    evaluate(pipeline)
    text = pipeline.get("reporting", "/metrics").text
    assert (
        'grantflow_disbursement_rate_ratio{province="74",source_fund="national",year="2016"} 0.4'
    ) in text
    assert (
        'grantflow_province_warning_level{province="80",source_fund="national",year="2016"} 3.0'
    ) in text
    assert 'grantflow_lagging_proposals{province="80",reason="no_contract_30_days"} 1.0' in text
    assert "R-80" not in text  # no proposal id in any label
    # The forecast as the province report shows it, for each horizon and bound
    report = pipeline.get(
        "reporting", "/api/v1/reports/provinces", as_of=AS_OF, source_fund="national"
    ).json()
    forecast = {r["province"]: r["forecast"] for r in report["items"]}["74"]
    for by in ("year_end", "settlement"):
        for bound, key in (("expected", "rate"), ("low", "low_rate"), ("high", "high_rate")):
            line = (
                f'grantflow_forecast_disbursement_rate_ratio{{bound="{bound}",by="{by}",'
                f'province="74",source_fund="national",year="2016"}} {forecast[by][key]}'
            )
            assert line in text, [m for m in text.splitlines() if "forecast" in m][:12]


def _read_models(engine):
    """Every row of every table a rebuild writes, less row numbers and arrival times."""
    from sqlalchemy import select

    from reporting.adapters.projections import PROJECTIONS
    from reporting.adapters.tables import arrival

    skipped = {"seq", "received_at"}
    with engine.connect() as db:
        return {
            table.name: sorted(
                tuple(repr(row[c.name]) for c in table.columns if c.name not in skipped)
                for row in db.execute(select(table)).mappings()
            )
            for table in (*PROJECTIONS, arrival)
        }


def test_a_rebuild_from_the_event_logs_gives_the_same_reports(pipeline):
    from reporting.handlers.rebuild import rebuild

    seed(pipeline)
    before = pipeline.get("reporting", "/api/v1/reports/provinces", year=2016, as_of=AS_OF).json()
    region = pipeline.get(
        "reporting", "/api/v1/reports/regions/south_2016", period="2016-H1"
    ).json()
    live = _read_models(pipeline.engine)
    applied = rebuild(pipeline.engine, [pipeline.proposals, pipeline.disbursement])
    assert applied >= 20
    assert _read_models(pipeline.engine) == live
    assert (
        pipeline.get("reporting", "/api/v1/reports/provinces", year=2016, as_of=AS_OF).json()
        == before
    )
    assert (
        pipeline.get("reporting", "/api/v1/reports/regions/south_2016", period="2016-H1").json()
        == region
    )


def test_a_rebuild_refuses_float_money_in_a_log_and_keeps_the_read_models(pipeline):
    """The rebuild's lighter check of a service's own log still refuses money that is not
    integer dong; the rebuild stops and its transaction leaves the read models as they were."""
    from sqlalchemy import text

    from grantflow.errors import Refused
    from reporting.handlers.rebuild import rebuild

    seed(pipeline)
    live = _read_models(pipeline.engine)
    with pipeline.engine.begin() as db:
        body = db.execute(
            text(
                "SELECT body FROM disbursement_outbox WHERE type = 'disbursement_recorded' "
                "AND published_at IS NOT NULL ORDER BY seq LIMIT 1"
            )
        ).scalar_one()
        event = json.loads(body) | {"id": "float-money-1"}
        amount = event["data"]["amount_vnd"]
        forged = json.dumps(event).replace(f'"amount_vnd": {amount}', f'"amount_vnd": {amount}.0')
        assert f"{amount}.0" in forged
        db.execute(
            text(
                "INSERT INTO disbursement_outbox (event_id, type, subject, body, created_at, "
                "published_at) VALUES ('float-money-1', 'disbursement_recorded', :subject, "
                ":body, now(), now())"
            ),
            {"subject": event["subject"], "body": forged},
        )
    with pytest.raises(Refused) as refused:
        rebuild(pipeline.engine, [pipeline.proposals, pipeline.disbursement])
    assert refused.value.code == "amount_not_integer"
    assert _read_models(pipeline.engine) == live


def test_dead_letters_are_stored_listed_and_re_driven(pipeline):
    pipeline.broker.publish(b"{not json", routing_key="proposal.submitted")
    late = samples.submitted("DL-1", province="99")
    pipeline.broker.publish(late)
    from tests.support.waiting import wait_until

    def listed():
        body = pipeline.get("reporting", "/api/v1/dead-letters").json()
        return body if body["total"] >= 2 else None

    body = wait_until(listed, 20, "two dead letters in the store")
    codes = {item["code"]: item for item in body["items"]}
    assert set(codes) == {"not_json", "unknown_province"}
    assert codes["not_json"]["body"] == "{not json"
    assert json.loads(codes["unknown_province"]["body"])["id"] == late["id"]
    assert codes["unknown_province"]["type"] == "proposal.submitted"

    redriven = pipeline.post(
        "reporting", f"/api/v1/dead-letters/{codes['unknown_province']['id']}/redrive"
    )
    assert redriven.status_code == 200 and redriven.json()["redriven_at"]
    wait_until(
        lambda: pipeline.get("reporting", "/api/v1/dead-letters").json()["total"] >= 3,
        20,
        "the re-driven event, still bad, to come back",
    )
    again = pipeline.post(
        "reporting", f"/api/v1/dead-letters/{codes['unknown_province']['id']}/redrive"
    )
    assert again.status_code == 409


def test_promtool_accepts_the_metrics_exposition(pipeline):
    """`promtool check metrics` (names, types, units, help) on reporting's real output."""
    import subprocess

    from tests.deploy.tools import tool

    seed(pipeline)
    evaluate(pipeline)
    exposition = pipeline.get("reporting", "/metrics").text
    assert "grantflow_province_warning_level" in exposition
    result = subprocess.run(
        [tool("promtool"), "check", "metrics"],
        input=exposition,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
