"""The disbursement service against the real broker and database (issue 3's list)."""

from __future__ import annotations

import requests

from grantflow.contract import contract
from tests.support import money
from tests.support.waiting import wait_until

DEAD = "grantflow.lifecycle.dead"


def ledger(h, pid, as_of="2016-12-31"):
    r = requests.get(f"{h.base}/api/v1/proposals/{pid}/ledger", params={"as_of": as_of}, timeout=10)
    return r.json() if r.status_code == 200 else None


def wait_paid(h, pid, amount, timeout=30):
    wait_until(
        lambda: (ledger(h, pid) or {}).get("paid_vnd") == amount,
        timeout,
        f"{pid} to have {amount} paid",
    )


def announced(h, count, types=None):
    got = []
    wait_until(
        lambda: (
            got.extend(h.broker.get_all(h.captured))
            or len([m for m in got if types is None or m.json()["type"] in types]) >= count
        ),
        20,
        f"{count} domain events",
    )
    parsed = [contract().parse(m.body) for m in got]  # each passes its domain-event schema
    return [e for e in parsed if types is None or e.type in types]


def commit(h, pid, amount, **kw):
    h.broker.announce(money.contract_signed(pid, amount, **kw))
    wait_until(lambda: ledger(h, pid) is not None, 15, f"{pid}'s contract")


def test_sums_stay_exact_to_the_dong_over_thousands_of_payments(disbursement):
    proposals = [f"SUM-{n:02d}" for n in range(20)]
    for pid in proposals:
        disbursement.broker.announce(money.contract_signed(pid, 10_000_000_000))
    expected = {}
    for pid_index, pid in enumerate(proposals):
        amounts = [1_234_567 + 7_919 * i + pid_index for i in range(100)]
        expected[pid] = sum(amounts)
        disbursement.broker.publish_all(
            [
                money.payment(pid, a, kind="payment", voucher=f"{pid}-{i}")
                for i, a in enumerate(amounts)
            ]
        )
    for pid in proposals:
        wait_paid(disbursement, pid, expected[pid], timeout=60)
    rates = requests.get(
        f"{disbursement.base}/api/v1/disbursement-rates",
        params={"year": 2016, "as_of": "2016-12-31"},
        timeout=10,
    ).json()
    assert rates["total"]["disbursed_vnd"] == sum(expected.values())
    assert isinstance(rates["total"]["disbursed_vnd"], int)
    assert len(ledger(disbursement, "SUM-07")["entries"]) == 101  # commitment + 100 payments


def test_the_same_payment_delivered_three_times_counts_once(disbursement):
    commit(disbursement, "DUP-1", 150_000_000)
    pay = money.payment("DUP-1", 50_000_000)
    for _ in range(3):
        disbursement.broker.publish(pay)
    disbursement.broker.publish(money.payment("DUP-1", 1_000_000))
    wait_paid(disbursement, "DUP-1", 51_000_000)
    assert len([e for e in ledger(disbursement, "DUP-1")["entries"] if e["kind"] == "advance"]) == 2
    assert disbursement.post(pay).json()["outcome"] == "duplicate"


def test_a_used_voucher_is_refused_even_under_a_new_event_id(disbursement):
    commit(disbursement, "VOU-1", 150_000_000)
    disbursement.broker.publish(money.payment("VOU-1", 50_000_000, voucher="UNC-0001"))
    wait_paid(disbursement, "VOU-1", 50_000_000)
    again = money.payment("VOU-1", 50_000_000, voucher="UNC-0001")
    disbursement.broker.publish(again)
    (dead,) = disbursement.dead_letters(1)
    assert dead.headers["x-error-code"] == "voucher_used"
    assert dead.json()["id"] == again["id"]
    assert ledger(disbursement, "VOU-1")["paid_vnd"] == 50_000_000
    over_http = disbursement.post(money.payment("VOU-1", 1, voucher="UNC-0001"))
    assert over_http.status_code == 409
    assert over_http.json()["error"]["code"] == "voucher_used"


def test_over_contract_and_over_cap_payments_are_refused_with_their_codes(disbursement):
    commit(disbursement, "CAP-1", 100_000_000)  # machinery: advances up to 70% = 70 M
    disbursement.broker.publish_all(
        [
            money.payment("CAP-1", 70_000_001, kind="advance"),
            money.payment("CAP-1", 60_000_000, kind="payment"),
            money.payment("CAP-1", 40_000_001, kind="payment"),
        ]
    )
    dead = disbursement.dead_letters(2)
    assert sorted(m.headers["x-error-code"] for m in dead) == ["over_advance_cap", "over_contract"]
    wait_paid(disbursement, "CAP-1", 60_000_000)


def test_a_payment_before_its_contract_is_applied_once_the_contract_arrives(disbursement):
    early = money.payment("EARLY-1", 30_000_000)
    disbursement.broker.publish(early)
    wait_until(
        lambda: (
            disbursement.metric(
                "grantflow_events_consumed_total", type="disbursement.made", outcome="retried"
            )
            >= 1
        ),
        10,
        "the early payment to be retried",
    )
    disbursement.broker.announce(money.contract_signed("EARLY-1", 150_000_000))
    wait_paid(disbursement, "EARLY-1", 30_000_000)
    assert disbursement.broker.depth(DEAD) == 0


def test_a_settlement_below_what_was_paid_records_the_refund_due(disbursement):
    commit(disbursement, "SET-1", 150_000_000)
    disbursement.broker.publish_all([money.payment("SET-1", 105_000_000)])
    wait_paid(disbursement, "SET-1", 105_000_000)
    disbursement.broker.announce(money.accepted("SET-1"))
    wait_until(lambda: ledger(disbursement, "SET-1")["stage"] == "accepted", 15, "acceptance")
    disbursement.broker.publish(money.payment("SET-1", 45_000_000, kind="final"))
    wait_paid(disbursement, "SET-1", 150_000_000)
    disbursement.broker.announce(money.settled("SET-1", 148_500_000, 150_000_000))
    wait_until(lambda: ledger(disbursement, "SET-1")["stage"] == "settled", 15, "settlement")

    book = ledger(disbursement, "SET-1")
    assert book["refund_due_vnd"] == 1_500_000
    assert [e["kind"] for e in book["entries"]] == [
        "commitment",
        "advance",
        "final",
        "release",
        "refund_due",
    ]
    (settlement,) = announced(disbursement, 1, {"settlement_recorded"})
    assert settlement.data["refund_due_vnd"] == 1_500_000
    assert settlement.data["released_vnd"] == 1_500_000


def test_repayment_arrears_and_the_overdue_event_raised_once(disbursement):
    where = money.scope("68", 2016, "local", "machinery")
    schedule = [
        ("2017-06-30", 100_000_000),
        ("2018-06-30", 100_000_000),
        ("2019-06-30", 100_000_000),
    ]
    commit(disbursement, "LD-1", 300_000_000, repayments=schedule, where=where)
    disbursement.broker.publish(money.repayment("LD-1", 100_000_000, "2017-06-30"))
    wait_until(lambda: ledger(disbursement, "LD-1")["repaid_vnd"] == 100_000_000, 15, "repaid")

    def evaluate(as_of):
        r = requests.post(
            f"{disbursement.base}/api/v1/overdue-evaluations", json={"as_of": as_of}, timeout=10
        )
        assert r.status_code == 200, r.text
        return [x for x in r.json()["raised"] if x["type"] == "repayment_overdue"]

    assert evaluate("2018-07-30") == []  # 30 days of grace: not yet
    (raised,) = evaluate("2018-07-31")
    assert raised["data"]["instalment_index"] == 1
    assert raised["data"]["arrears_vnd"] == 100_000_000
    assert evaluate("2018-08-15") == []  # raised once, not on every evaluation
    assert ledger(disbursement, "LD-1", as_of="2018-08-01")["arrears_vnd"] == 100_000_000
    (event,) = announced(disbursement, 1, {"repayment_overdue"})
    assert event.subject == "LD-1"


def test_a_tranche_is_overdue_once_its_date_passes_with_less_paid_than_due(disbursement):
    commit(disbursement, "TR-1", 150_000_000)  # 105 M due 30/04, 45 M due 31/10
    disbursement.broker.publish(money.payment("TR-1", 105_000_000))
    wait_paid(disbursement, "TR-1", 105_000_000)
    r = requests.post(
        f"{disbursement.base}/api/v1/overdue-evaluations", json={"as_of": "2016-11-01"}, timeout=10
    ).json()
    assert [
        (x["type"], x["data"]["tranche_index"], x["data"]["shortfall_vnd"]) for x in r["raised"]
    ] == [("tranche_overdue", 1, 45_000_000)]
    statuses = [t["status"] for t in ledger(disbursement, "TR-1", "2016-11-01")["tranches"]]
    assert statuses == ["paid", "overdue"]


def test_rates_by_province_and_region_match_a_hand_worked_answer(disbursement):
    # Southeast 2016: 74 Bình Dương, 77 Bà Rịa-Vũng Tàu, 70 Bình Phước; 92 Cần Thơ is Mekong.
    plans = [
        ("74", "national", 1_000_000_000),
        ("74", "local", 500_000_000),
        ("77", "national", 800_000_000),
        ("70", "local", 200_000_000),
        ("92", "national", 400_000_000),
    ]
    for code, fund, amount in plans:
        assert disbursement.post(money.plan(code, 2016, fund, amount)).status_code == 202
    contracts = [
        ("R74N", "74", "national", 300_000_000),
        ("R74L", "74", "local", 150_000_000),
        ("R77N", "77", "national", 200_000_000),
        ("R92N", "92", "national", 100_000_000),
    ]
    for pid, code, fund, amount in contracts:
        commit(disbursement, pid, amount, where=money.scope(code, 2016, fund))
        disbursement.post(money.payment(pid, amount * 7 // 10, paid_on="2016-05-10"))
        disbursement.broker.announce(money.accepted(pid, where=money.scope(code, 2016, fund)))
        wait_until(lambda pid=pid: ledger(disbursement, pid)["stage"] == "accepted", 15, pid)
        rest = money.payment(pid, amount - amount * 7 // 10, kind="payment", paid_on="2016-08-10")
        assert disbursement.post(rest).status_code == 202

    def rates(**params):
        return requests.get(
            f"{disbursement.base}/api/v1/disbursement-rates",
            params={"year": 2016, **params},
            timeout=10,
        ).json()

    southeast = rates(region="southeast", as_of="2016-12-31")
    by_code = {r["province"]: r for r in southeast["items"]}
    assert set(by_code) == {"70", "72", "74", "75", "77", "79"}
    assert (
        by_code["74"]["allocated_vnd"],
        by_code["74"]["disbursed_vnd"],
        by_code["74"]["rate"],
    ) == (1_500_000_000, 450_000_000, 0.3)
    assert by_code["77"]["rate"] == 0.25
    assert by_code["70"]["rate"] == 0.0
    assert by_code["79"]["rate"] is None  # no plan recorded for Hồ Chí Minh City
    assert southeast["total"] == {
        "province": None,
        "province_name": "total",
        "allocated_vnd": 2_500_000_000,
        "committed_vnd": 650_000_000,
        "disbursed_vnd": 650_000_000,
        "refund_due_vnd": 0,
        "owed_vnd": 0,
        "rate": 0.26,
    }

    national = rates(region="southeast", source_fund="national", as_of="2016-12-31")
    assert national["total"]["allocated_vnd"] == 1_800_000_000
    assert national["total"]["rate"] == round(500_000_000 / 1_800_000_000, 4)

    midyear = rates(region="southeast", as_of="2016-06-30")  # only the advances by then
    assert midyear["total"]["disbursed_vnd"] == 455_000_000
    assert midyear["total"]["rate"] == 0.182


def test_plans_keep_every_version_and_the_change_on_the_previous_year(disbursement):
    disbursement.post(money.plan("74", 2015, "national", 900_000_000))
    disbursement.post(money.plan("74", 2016, "national", 1_000_000_000))
    disbursement.post(
        money.plan(
            "74", 2016, "national", 1_100_000_000, adjusted=True, time="2016-06-01T08:00:00+07:00"
        )
    )
    body = requests.get(
        f"{disbursement.base}/api/v1/plans", params={"year": 2016}, timeout=10
    ).json()
    (item,) = body["items"]
    assert [v["amount_vnd"] for v in item["versions"]] == [1_000_000_000, 1_100_000_000]
    assert (item["amount_vnd"], item["previous_year_vnd"], item["change_percent"]) == (
        1_100_000_000,
        900_000_000,
        22.22,
    )
    assert item["province_name"] == "Bình Dương"
    before = requests.get(
        f"{disbursement.base}/api/v1/disbursement-rates",
        params={"year": 2016, "as_of": "2016-03-01"},
        timeout=10,
    ).json()
    assert before["total"]["allocated_vnd"] == 1_000_000_000  # the adjustment came in June


def test_two_replicas_evaluating_at_once_raise_each_overdue_tranche_once(
    disbursement, amqp_uri, database_url
):
    import eventlet

    from disbursement.service import DisbursementService
    from tests.support.services import in_process

    for n in range(30):
        commit(disbursement, f"REP-{n:02d}", 150_000_000)
    with in_process(DisbursementService, amqp_uri, database_url) as second:
        calls = [
            eventlet.spawn(
                requests.post,
                f"{base}/api/v1/overdue-evaluations",
                json={"as_of": "2016-11-01"},
                timeout=30,
            )
            for base in (disbursement.base, second, disbursement.base, second)
        ]
        raised = [x for c in calls for x in c.wait().json()["raised"]]
    # Each of the 30 contracts has both tranches overdue (nothing paid): 60 notices in all.
    assert len(raised) == 60
    assert len({(x["proposal_id"], x["data"]["tranche_index"]) for x in raised}) == 60
    assert len(announced(disbursement, 60, {"tranche_overdue"})) == 60
