"""Nobody acts on a proposal outside their mandate, over HTTP or AMQP (issue 12, section 3).

Scope is checked on the proposal the rule loads, not on the event's `subject`; a subject that
differs from the proposal id is refused; a resubmission cannot move a proposal; a province
decides on its local-fund proposals only, the ministry on the national-fund ones.
"""

from __future__ import annotations

from typing import Any

import requests

from grantflow.auth import PROVINCE_OFFICER
from tests.support import events
from tests.support.auth import header

CE = {"Content-Type": "application/cloudevents+json"}


def officer_of(*provinces: str) -> dict[str, str]:
    return {**CE, **header(PROVINCE_OFFICER, sub=f"cb-{provinces[0]}", provinces=list(provinces))}


def post(harness, event: dict[str, Any], auth: dict[str, str]) -> requests.Response:
    return requests.post(f"{harness.base}/api/v1/events", json=event, headers=auth, timeout=10)


def test_a_province_officer_cannot_change_another_provinces_proposal_by_its_subject(proposals):
    proposals.post(events.submitted("SC-74", province="74"))
    proposals.post(events.submitted("SC-80", province="80"))
    proposals.wait_state("SC-74", "submitted")

    # the subject names the officer's own proposal, the data another province's
    cancel = events.cancelled("SC-74")
    cancel["subject"] = "SC-80"
    r = post(proposals, cancel, officer_of("80"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "subject_mismatch", r.text

    # without a subject the rule's proposal decides: as if it did not exist, nothing of it shown
    del cancel["subject"]
    r = post(proposals, cancel, officer_of("80"))
    assert r.status_code == 409 and r.json()["error"]["code"] == "unknown_proposal", r.text
    assert "submitted" not in r.json()["error"]["detail"].replace("has not been submitted", "")
    assert proposals.state_of("SC-74") == "submitted"

    r = post(proposals, events.cancelled("SC-80"), officer_of("80"))
    assert r.status_code == 202, r.text
    assert proposals.state_of("SC-80") == "cancelled"


def test_a_subject_that_is_not_the_proposal_id_is_dead_lettered_over_amqp(proposals):
    proposals.broker.publish(events.submitted("SU-1"))
    proposals.wait_state("SU-1", "submitted")
    appraisal = events.appraised("SU-1")
    appraisal["subject"] = "SU-OTHER"
    proposals.broker.publish(appraisal)
    (dead,) = proposals.dead_letters(1)
    assert dead.headers["x-error-code"] == "subject_mismatch"
    assert dead.json()["id"] == appraisal["id"]
    assert proposals.state_of("SU-1") == "submitted"


def test_a_resubmission_cannot_move_a_proposal(proposals):
    proposals.post(events.submitted("RS-1"))
    r = proposals.post(events.appraised("RS-1", outcome="revise"))
    assert r.status_code == 202, r.text
    proposals.wait_state("RS-1", "revision")
    for change in ({"province": "80"}, {"year": 2017}, {"source_fund": "local"}):
        r = proposals.post(events.submitted("RS-1", **change))
        assert r.status_code == 409, r.text
        assert r.json()["error"]["code"] == "proposal_keys_changed"
        assert next(iter(change)) in r.json()["error"]["detail"]
    # over AMQP too
    proposals.broker.publish(events.submitted("RS-1", activity="training"))
    (dead,) = proposals.dead_letters(1)
    assert dead.headers["x-error-code"] == "proposal_keys_changed"
    found = proposals.proposal("RS-1")
    assert (found["province"], found["state"]) == ("74", "revision")
    # the same keys: resubmitted
    r = proposals.post(events.submitted("RS-1", title="Máy chà nhám, bản sửa"))
    assert r.status_code == 202, r.text
    assert proposals.state_of("RS-1") == "submitted"


def test_a_province_decides_its_local_fund_proposals_and_the_ministry_the_national(proposals):
    officer = officer_of("74")
    assert post(proposals, events.submitted("SD-N", source_fund="national"), officer).ok
    colleague = {**CE, **header(PROVINCE_OFFICER, sub="cb-74-colleague", provinces=["74"])}
    assert post(proposals, events.submitted("SD-L", source_fund="local"), colleague).ok

    for event in (events.appraised("SD-N"), events.rejected("SD-N")):
        r = post(proposals, event, officer)
        assert r.status_code == 403, r.text
        assert r.json()["error"]["code"] == "decision_reserved"
    assert proposals.state_of("SD-N") == "submitted"
    assert proposals.post(events.appraised("SD-N")).status_code == 202  # the ministry
    assert post(proposals, events.approved("SD-N"), officer).status_code == 403

    for event in (events.appraised("SD-L"), events.approved("SD-L")):
        r = post(proposals, event, officer)
        assert r.status_code == 202, r.text
    assert proposals.state_of("SD-L") == "approved"


def test_the_officer_who_submitted_a_proposal_may_not_decide_it(proposals):
    lan = {**CE, **header(PROVINCE_OFFICER, sub="cb-74-lan", provinces=["74"])}
    minh = {**CE, **header(PROVINCE_OFFICER, sub="cb-74-minh", provinces=["74"])}
    assert post(proposals, events.submitted("FE-1", source_fund="local"), lan).ok
    r = post(proposals, events.appraised("FE-1"), lan)
    assert r.status_code == 403 and r.json()["error"]["code"] == "decision_reserved", r.text
    assert "four eyes" in r.json()["error"]["detail"]
    assert post(proposals, events.appraised("FE-1"), minh).status_code == 202
    assert post(proposals, events.approved("FE-1"), lan).status_code == 403
    assert post(proposals, events.approved("FE-1"), minh).status_code == 202
    assert proposals.state_of("FE-1") == "approved"
