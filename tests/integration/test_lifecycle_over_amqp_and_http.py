"""Every lifecycle event type the proposals service handles, over AMQP and over HTTP."""

from __future__ import annotations

from grantflow.contract import contract
from tests.support import events
from tests.support.waiting import wait_until

FULL = [
    "proposal_submitted",
    "proposal_appraised",
    "proposal_approved",
    "contract_signed",
    "progress_reported",
    "proposal_accepted",
    "proposal_settled",
]


def _announced(harness, count):
    got = []
    wait_until(
        lambda: got.extend(harness.broker.get_all(harness.captured)) or len(got) >= count,
        15,
        f"{count} domain events",
    )
    return [contract().parse(m.body) for m in got]  # each must pass its domain-event schema


def test_every_event_type_over_amqp_moves_a_proposal_to_settlement(proposals):
    proposals.broker.publish_all(events.full_lifecycle("AM-1"))
    proposals.broker.publish_all([events.submitted("AM-2"), events.rejected("AM-2")])
    proposals.broker.publish_all([events.submitted("AM-3"), events.cancelled("AM-3")])

    settled = proposals.wait_state("AM-1", "settled")
    assert settled["version"] == 7
    assert settled["settled_vnd"] == 148_500_000
    assert [h["state_after"] for h in settled["history"]] == [
        "submitted",
        "in_appraisal",
        "approved",
        "contracted",
        "in_progress",
        "accepted",
        "settled",
    ]
    assert proposals.wait_state("AM-2", "rejected")["closing_reason"] == "Không đủ vốn đối ứng"
    assert proposals.wait_state("AM-3", "cancelled")["version"] == 2

    announced = _announced(proposals, 11)
    am1 = [e for e in announced if e.subject == "AM-1"]
    assert [e.type for e in sorted(am1, key=lambda e: e.version)] == FULL
    assert [e.version for e in sorted(am1, key=lambda e: e.version)] == list(range(1, 8))
    assert {e.type for e in announced} >= {"proposal_rejected", "proposal_cancelled"}
    assert all(e.source == "grantflow/proposals" for e in announced)


def test_every_event_type_over_http_answers_202_and_applies(proposals):
    lifecycle = [
        *events.full_lifecycle("HT-1"),
        events.submitted("HT-2"),
        events.rejected("HT-2"),
        events.submitted("HT-3"),
        events.cancelled("HT-3"),
    ]
    for event in lifecycle:
        response = proposals.post(event)
        assert response.status_code == 202, response.text
        assert response.json() == {
            "id": event["id"],
            "source": event["source"],
            "outcome": "applied",
        }

    assert proposals.state_of("HT-1") == "settled"
    assert proposals.state_of("HT-2") == "rejected"
    assert proposals.state_of("HT-3") == "cancelled"
    assert len(_announced(proposals, 11)) == 11


def test_the_same_event_delivered_three_times_applies_once(proposals):
    event = events.submitted("DU-1")
    for _ in range(3):
        proposals.broker.publish(event)
    follow_up = events.appraised("DU-1")
    proposals.broker.publish(follow_up)

    found = proposals.wait_state("DU-1", "in_appraisal")
    assert [h["event_id"] for h in found["history"]] == [event["id"], follow_up["id"]]
    wait_until(
        lambda: (
            proposals.metric(
                "grantflow_events_consumed_total", type="proposal.submitted", outcome="duplicate"
            )
            == 2
        ),
        10,
        "two duplicates counted",
    )
    assert proposals.post(event).json()["outcome"] == "duplicate"
    assert proposals.count("proposals_outbox") == 2


def test_progress_sent_before_the_contract_is_applied_once_the_contract_arrives(proposals):
    pid = "EA-1"
    proposals.broker.publish_all(
        [events.submitted(pid), events.appraised(pid), events.approved(pid)]
    )
    proposals.wait_state(pid, "approved")
    early = events.progress(pid, percent=35)
    proposals.broker.publish(early)
    wait_until(
        lambda: (
            proposals.metric(
                "grantflow_events_consumed_total", type="progress.reported", outcome="retried"
            )
            >= 1
        ),
        10,
        "the early progress report to be retried",
    )
    assert proposals.state_of(pid) == "approved"

    proposals.broker.publish(events.contract_signed(pid))

    found = proposals.wait_state(pid, "in_progress")
    assert found["percent_complete"] == 35
    assert [h["event_id"] for h in found["history"]][-1] == early["id"]
    assert proposals.broker.depth("grantflow.lifecycle.dead") == 0


def test_an_early_event_is_retried_over_http_as_a_conflict(proposals):
    response = proposals.post(events.progress("EA-2"))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "unknown_proposal"
