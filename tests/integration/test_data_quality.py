"""Data quality per province, with proposals, disbursement and reporting running on the real
broker and PostgreSQL: a dead letter naming the province, a payment sent 46 days after it was
made, a progress report dated before one already received, a contract with no report for
June, a proposal without its beneficiary; in the province report, its CSV and the metrics."""

from __future__ import annotations

from grantflow_tools import samples
from tests.support import money

AS_OF = "2016-06-30"


def _seed(pipeline) -> None:
    assert (
        pipeline.post(
            "disbursement", "/api/v1/events", money.plan("74", 2016, "national", 1_000_000_000)
        ).status_code
        == 202
    )
    good, bare = "Q-74-1", "Q-74-2"
    without = samples.submitted(bare)
    del without["data"]["beneficiary"]
    events = [samples.submitted(good), without]
    for pid in (good, bare):
        events += [samples.appraised(pid), samples.approved(pid), samples.contract_signed(pid)]
    events.append(samples.progress(good, percent=50, as_of="2016-06-20"))
    pipeline.broker.publish_all(events)
    pipeline.broker.publish(samples.submitted("Q-74-BAD", requested_vnd=1.5))  # dead-lettered
    pipeline.quiet()
    late = money.payment(good, 105_000_000, paid_on="2016-04-25")
    late["time"] = "2016-06-10T10:00:00+07:00"  # sent 46 days after it was paid
    assert pipeline.post("disbursement", "/api/v1/events", late).status_code == 202
    pipeline.broker.publish(samples.progress(good, percent=30, as_of="2016-05-20"))  # older
    pipeline.quiet()


def test_the_province_report_scores_what_it_saw_of_the_province_s_data(pipeline):
    _seed(pipeline)
    report = pipeline.get(
        "reporting", "/api/v1/reports/provinces", as_of=AS_OF, source_fund="national"
    ).json()
    (row,) = [r for r in report["items"] if r["province"] == "74"]
    assert row["data_quality"] == {
        "proposals": 2,
        "dead_letters": 1,
        "late_or_out_of_order": 1,  # Q-74-1: late and out of order, one proposal
        "reports_due": 2,
        "reports_missing": 1,  # Q-74-2 has no report for June
        "without_beneficiary": 1,
        # 100 x (1 - mean(1/3, 1/2, 1/2, 1/2))
        "score": 54.2,
    }
    csv = pipeline.get(
        "reporting", "/api/v1/reports/provinces", as_of=AS_OF, format="csv"
    ).content.decode("utf-8-sig")
    header, line = csv.splitlines()[:2]
    assert (
        dict(zip(header.split(","), line.split(","), strict=True))["data_quality_score"] == "54.2"
    )

    r = pipeline.post("reporting", "/api/v1/lag-evaluations", {"as_of": AS_OF, "announce": True})
    assert r.status_code == 200, r.text
    metrics = pipeline.get("reporting", "/metrics").text
    assert 'grantflow_data_quality_score{province="74",year="2016"} 54.2' in metrics
