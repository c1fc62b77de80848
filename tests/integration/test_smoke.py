from tests.support import events


def test_a_submitted_proposal_is_readable_over_http(proposals):
    proposals.broker.publish(events.submitted("SM-1"))
    found = proposals.wait_state("SM-1", "submitted")
    assert found["requested_vnd"] == 150_000_000
