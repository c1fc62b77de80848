"""A beneficiary supported twice for the same activity: flagged at appraisal whatever province
or fund paid it, approved only with an override the audit trail records; and the registry's
support history of that beneficiary across years, funds and provinces."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests

from tests.support import events
from tests.support import registry as reg
from tests.support.broker import Broker
from tests.support.services import in_process
from tests.support.waiting import wait_until

FIRM = "MST-3700999999"


@dataclass
class Both:
    proposals: str
    registry: str

    def post(self, base: str, event: dict) -> requests.Response:
        headers = {"Content-Type": "application/cloudevents+json"}
        return requests.post(f"{base}/api/v1/events", json=event, headers=headers, timeout=10)

    def proposal(self, pid: str) -> dict:
        return requests.get(f"{self.proposals}/api/v1/proposals/{pid}", timeout=10).json()


@pytest.fixture
def both(clean: Broker, amqp_uri: str, database_url: str) -> Iterator[Both]:
    from proposals.service import ProposalsService
    from registry.service import RegistryService

    with (
        in_process(RegistryService, amqp_uri, database_url) as registry,
        in_process(ProposalsService, amqp_uri, database_url) as proposals,
    ):
        yield Both(proposals, registry)


def _through_approval(both: Both, pid: str, **over) -> None:
    for event in (events.submitted(pid, **over), events.appraised(pid), events.approved(pid)):
        assert both.post(both.proposals, event).status_code == 202


def _appraise(both: Both, pid: str, **over) -> dict:
    assert both.post(both.proposals, events.submitted(pid, **over)).status_code == 202
    assert both.post(both.proposals, events.appraised(pid)).status_code == 202
    return both.proposal(pid)


def test_appraisal_flags_earlier_support_of_the_same_activity_from_any_province_or_fund(both):
    _through_approval(both, "BD-2015-1", year=2015, beneficiary_ids=[FIRM])
    flagged = _appraise(
        both,
        "LA-2016-7",
        province="80",
        source_fund="local",
        beneficiary_ids=[FIRM, "MST-3700888888"],
    )
    assert flagged["already_supported"] == [
        {
            "proposal_id": "BD-2015-1",
            "beneficiary_id": FIRM,
            "province": "74",
            "year": 2015,
            "source_fund": "national",
            "state": "approved",
            "approved_vnd": 150_000_000,
        }
    ]
    other_activity = _appraise(both, "LA-2016-8", activity="training", beneficiary_ids=[FIRM])
    assert other_activity["already_supported"] == []
    long_ago = _appraise(both, "LA-2019-1", year=2019, beneficiary_ids=[FIRM])  # 4 > 3 years
    assert long_ago["already_supported"] == []
    nobody_named = _appraise(both, "LA-2016-9")
    assert nobody_named["already_supported"] == []


def test_approval_over_the_flag_needs_an_override_which_the_audit_trail_records(both):
    _through_approval(both, "BD-2015-2", year=2015, beneficiary_ids=[FIRM])
    _appraise(both, "TN-2016-3", province="72", beneficiary_ids=[FIRM])

    refused = both.post(both.proposals, events.approved("TN-2016-3"))
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "already_supported"
    assert "BD-2015-2" in refused.json()["error"]["detail"]
    assert both.proposal("TN-2016-3")["state"] == "in_appraisal"

    override = events.approved("TN-2016-3")
    override["data"]["override_already_supported"] = "Hỗ trợ dây chuyền khác, QĐ 12/UBND"
    assert both.post(both.proposals, override).status_code == 202
    approved = both.proposal("TN-2016-3")
    assert approved["state"] == "approved"
    assert approved["already_supported_override"] == "Hỗ trợ dây chuyền khác, QĐ 12/UBND"

    trail = requests.get(
        f"{both.proposals}/api/v1/audit", params={"proposal_id": "TN-2016-3"}, timeout=10
    ).json()["items"]
    by_action = {e["action"]: e for e in trail if e["outcome"] == "accepted"}
    assert by_action["proposal.appraised"]["after"]["already_supported"][0]["proposal_id"] == (
        "BD-2015-2"
    )
    assert by_action["proposal.approved"]["after"]["override_already_supported"] == (
        "Hỗ trợ dây chuyền khác, QĐ 12/UBND"
    )


def test_the_registry_shows_a_beneficiarys_support_across_years_funds_and_provinces(both):
    assert both.post(both.registry, reg.beneficiary(FIRM, "Cơ sở dệt may Đông Hòa")).ok
    _through_approval(both, "BD-2015-3", year=2015, beneficiary_ids=[FIRM])
    assert both.post(both.proposals, events.contract_signed("BD-2015-3")).status_code == 202
    _appraise(both, "LA-2016-4", province="80", source_fund="local", beneficiary_ids=[FIRM])
    assert both.post(both.proposals, events.rejected("LA-2016-4")).status_code == 202

    def history() -> list[dict]:
        found = requests.get(f"{both.registry}/api/v1/beneficiaries/{FIRM}", timeout=10).json()
        return found["support"]

    wait_until(
        lambda: (
            [(s["proposal_id"], s["state"]) for s in history()]
            == [("BD-2015-3", "contracted"), ("LA-2016-4", "rejected")]
        ),
        20,
        "the registry to know both proposals' outcomes",
    )
    first, second = history()
    assert (first["province"], first["year"], first["source_fund"]) == ("74", 2015, "national")
    assert (first["approved_vnd"], first["contract_vnd"]) == (150_000_000, 150_000_000)
    assert (second["province"], second["source_fund"], second["approved_vnd"]) == (
        "80",
        "local",
        None,
    )
    found = requests.get(f"{both.registry}/api/v1/beneficiaries", params={"q": "det may"})
    assert [b["beneficiary_id"] for b in found.json()["items"]] == [FIRM]
