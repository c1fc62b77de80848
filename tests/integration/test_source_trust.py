"""Over AMQP, each event type is accepted only from the sources configured for it."""

from __future__ import annotations

from tests.support import events, money


def test_an_event_from_a_source_not_allowed_for_its_type_is_dead_lettered(proposals, disbursement):
    forged = {**money.payment("ST-1", 50_000_000), "source": "urn:moit:arida"}
    appraisal_by_a_centre = {**events.appraised("ST-1"), "source": events.CENTRE}
    proposals.broker.publish_all([events.submitted("ST-1"), appraisal_by_a_centre, forged])
    dead = proposals.dead_letters(2)
    assert sorted(d.headers["x-error-code"] for d in dead) == ["source_not_allowed"] * 2
    assert {d.headers["x-original-routing-key"] for d in dead} == {
        "proposal.appraised",
        "disbursement.made",
    }
    assert any("urn:kbnn:*" in d.headers["x-error-detail"] for d in dead)
    proposals.wait_state("ST-1", "submitted")
    assert proposals.state_of("ST-1") == "submitted"  # the forged appraisal was not applied


def test_the_allowed_sources_can_be_given_inline():
    from grantflow.errors import Refused
    from grantflow.trust import parse

    policy = parse('{"disbursement.made": ["urn:kbnn:*"]}')
    policy.check("disbursement.made", "urn:kbnn:payments")
    for event_type, source in [("disbursement.made", "urn:moit:arida"), ("plan.approved", "x")]:
        try:
            policy.check(event_type, source)
        except Refused as refused:
            assert refused.code == "source_not_allowed"
        else:
            raise AssertionError(f"{event_type} from {source} was accepted")
