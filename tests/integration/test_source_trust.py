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


def test_a_domain_event_from_another_source_than_its_service_is_dead_lettered(disbursement):
    """`grantflow.events` is checked too: a `contract_signed` not from the proposals service
    is dead-lettered, not applied, while the genuine one is."""
    forged = {**money.contract_signed("ST-2", 150_000_000), "source": "urn:moit:arida"}
    disbursement.broker.announce(forged)
    (dead,) = disbursement.dead_letters(1)
    assert dead.headers["x-error-code"] == "source_not_allowed"
    assert "grantflow/proposals" in dead.headers["x-error-detail"]
    assert disbursement.get("/api/v1/proposals/ST-2/ledger").status_code == 404


def test_every_domain_event_of_the_contract_has_its_one_service():
    from pathlib import Path

    from grantflow.trust import DOMAIN_EVENT_SOURCES

    events_dir = Path(__file__).resolve().parents[2] / "contracts/events"
    domain_events = {
        p.name.removesuffix(".schema.json")
        for p in events_dir.glob("*_*.schema.json")
        if "." not in p.name.removesuffix(".schema.json")
    }
    assert set(DOMAIN_EVENT_SOURCES) == domain_events
