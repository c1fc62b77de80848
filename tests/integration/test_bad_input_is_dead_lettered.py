"""Every class of bad input reaches grantflow.lifecycle.dead, byte for byte, with its code."""

from __future__ import annotations

import json

from tests.support import events


def _cases():
    float_amount = (
        json.dumps(events.approved("BI-1"))
        .replace('"approved_vnd": 150000000', '"approved_vnd": 150000000.0')
        .encode()
    )
    assert b"150000000.0" in float_amount
    not_cloudevent = json.dumps({"type": "proposal.submitted", "hello": "world"}).encode()
    unknown_type = json.dumps(events.event("proposal.teleported", {"proposal_id": "BI-1"}))
    schema = events.submitted("BI-9")
    del schema["data"]["title"]
    over_ceiling = events.approved("BI-2", amount=150_000_000)
    return [
        (b"{not json", "proposal.submitted", "not_json"),
        (not_cloudevent, "proposal.submitted", "not_cloudevent"),
        (unknown_type.encode(), "proposal.teleported", "unknown_type"),
        (json.dumps(schema).encode(), "proposal.submitted", "schema_violation"),
        (float_amount, "proposal.approved", "amount_not_integer"),
        (
            json.dumps(events.submitted("BI-3", province="99")).encode(),
            "proposal.submitted",
            "unknown_province",
        ),
        (json.dumps(events.appraised("BI-404")).encode(), "proposal.appraised", "unknown_proposal"),
        (json.dumps(events.submitted("BI-1")).encode(), "proposal.submitted", "illegal_transition"),
        (json.dumps(over_ceiling).encode(), "proposal.approved", "over_ceiling"),
    ]


def test_each_class_of_bad_input_is_dead_lettered_with_its_code(proposals):
    # BI-1 exists (so submitting it again is illegal); BI-2's ceiling is 50% of 200 M = 100 M.
    proposals.broker.publish_all(
        [
            events.submitted("BI-1"),
            events.submitted("BI-2", counterpart_vnd=50_000_000),
            events.appraised("BI-2"),
        ]
    )
    proposals.wait_state("BI-2", "in_appraisal")
    cases = _cases()
    for body, key, _ in cases:
        proposals.broker.publish(body, routing_key=key)

    dead = proposals.dead_letters(len(cases))

    by_body = {m.body: m for m in dead}
    for body, _, code in cases:
        assert body in by_body, f"{code}: body not dead-lettered unchanged"
        headers = by_body[body].headers
        assert headers["x-error-code"] == code
        assert len(headers["x-error-detail"]) > 10
    # The service kept working: a good event after all of that still applies.
    proposals.broker.publish(events.submitted("BI-OK"))
    assert proposals.wait_state("BI-OK", "submitted")
    assert proposals.metric("grantflow_dead_letters_total", code="not_json") == 1
    assert proposals.state_of("BI-3") is None
    assert proposals.proposal("BI-2")["approved_vnd"] is None


def test_an_unknown_proposal_is_dead_lettered_only_after_the_retry_window(proposals):
    proposals.broker.publish(events.accepted("BI-LATE"))
    (dead,) = proposals.dead_letters(1, timeout=20)
    assert dead.headers["x-error-code"] == "unknown_proposal"
    assert "retries" in dead.headers["x-error-detail"]
    assert dead.headers["x-grantflow-attempts"] >= 2


def test_bad_input_over_http_gets_the_error_body_and_changes_nothing(proposals):
    response = proposals.post(events.submitted("BH-1", province="99"))
    assert response.status_code == 422
    assert response.json() == {
        "error": {"code": "unknown_province", "detail": "no province has code 99 on 2016-03-01"}
    }
    raw = proposals.get("/api/v1/proposals")  # nothing was created
    assert raw.json()["total"] == 0
