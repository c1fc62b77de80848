"""What an HTTP caller may claim is bound to its token: its (source, id) lives in its own
namespace, so no caller can make another sender's event a duplicate (issue 12, section 3)."""

from __future__ import annotations

import requests

from grantflow.auth import FINANCE, PROVINCE_OFFICER
from tests.integration.test_disbursement import commit, ledger, wait_paid
from tests.integration.test_registry import registry  # noqa: F401
from tests.support import events, money
from tests.support import registry as reg
from tests.support.auth import header
from tests.support.waiting import wait_until

CE = {"Content-Type": "application/cloudevents+json"}


def test_a_post_under_the_treasurys_source_cannot_swallow_the_genuine_payment(disbursement):
    commit(disbursement, "HC-1", 150_000_000)
    genuine = money.payment("HC-1", 50_000_000, voucher="UNC-GENUINE")
    forged = money.payment("HC-1", 1_000, voucher="UNC-FORGED")
    forged["id"] = genuine["id"]  # the Treasury's source and the id its payment will carry
    r = requests.post(
        f"{disbursement.base}/api/v1/events",
        json=forged,
        headers={**CE, **header(FINANCE, sub="someone-in-finance")},
        timeout=10,
    )
    assert r.status_code == 202 and r.json()["outcome"] == "applied", r.text

    disbursement.broker.publish(genuine)
    wait_paid(disbursement, "HC-1", 50_001_000)
    vouchers = {e.get("voucher_no") for e in ledger(disbursement, "HC-1")["entries"]}
    assert {"UNC-GENUINE", "UNC-FORGED"} <= vouchers
    assert disbursement.broker.depth("grantflow.lifecycle.dead") == 0


def test_a_post_under_the_ministrys_source_cannot_swallow_its_genuine_event(proposals):
    officer = {**CE, **header(PROVINCE_OFFICER, sub="cb-74", provinces=["74"])}
    first = events.submitted("HC-P1")
    first["source"] = "urn:moit:arida"  # claims the ministry
    r = requests.post(f"{proposals.base}/api/v1/events", json=first, headers=officer, timeout=10)
    assert r.status_code == 202, r.text

    genuine = events.submitted("HC-P2")
    genuine.update(source="urn:moit:arida", id=first["id"])
    proposals.broker.publish(genuine)
    proposals.wait_state("HC-P2", "submitted")
    # a re-post of what a system sent is still recognised as the same event
    again = requests.post(f"{proposals.base}/api/v1/events", json=genuine, headers=CE, timeout=10)
    assert again.json()["outcome"] == "duplicate", again.text


def test_a_post_under_a_centres_source_cannot_swallow_its_genuine_registration(
    registry,  # noqa: F811
):
    officer = {**CE, **header(PROVINCE_OFFICER, sub="cb-74", provinces=["74"])}
    forged = reg.beneficiary("MST-3700000001", "Cơ sở đăng ký qua HTTP")
    r = requests.post(f"{registry.base}/api/v1/events", json=forged, headers=officer, timeout=10)
    assert r.status_code == 202 and r.json()["outcome"] == "applied", r.text

    genuine = reg.beneficiary("MST-3700000002", "Cơ sở của trung tâm")
    genuine.update(source=forged["source"], id=forged["id"])  # the centre's source and id
    registry.broker.publish(genuine)
    found = wait_until(
        lambda: (r := registry.get("/api/v1/beneficiaries/MST-3700000002")).ok and r.json(),
        15,
        "the centre's genuine registration applied",
    )
    assert found["name"] == "Cơ sở của trung tâm"
    assert registry.broker.depth("grantflow.lifecycle.dead") == 0
