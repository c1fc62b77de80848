"""The registry's pure rules and the double-support rule, on plain values."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from grantflow.errors import Early, Refused
from proposals.domain.model import Proposal, State
from proposals.domain.support import already_supported, overrides_already_supported
from registry.domain.coverage import coverage
from registry.domain.measures import hectares, hundredths_of_ha
from registry.domain.names import fold, words
from registry.domain.records import RULES

ON = date(2016, 5, 1)


class Lookup:
    def __init__(self, beneficiaries: dict[str, dict[str, Any]] | None = None) -> None:
        self.known = beneficiaries or {}

    def beneficiary(self, beneficiary_id: str) -> dict[str, Any] | None:
        return self.known.get(beneficiary_id)

    def tax_code_owner(self, tax_code: str) -> str | None:
        return next((k for k, b in self.known.items() if b.get("tax_code") == tax_code), None)


def apply(event_type: str, existing: dict | None, data: dict, lookup: Lookup | None = None):
    return RULES[event_type][2](existing, data, ON, lookup or Lookup())


@pytest.mark.parametrize(
    ("name", "folded"),
    [
        ("Cơ sở dệt may Đông Hòa", "co so det may dong hoa"),
        ("ĐỒNG  NAI", "dong nai"),
        ("Hợp tác xã Mây tre đan", "hop tac xa may tre dan"),
    ],
)
def test_names_fold_without_diacritics_and_d_for_dj(name, folded):
    assert fold(name) == folded
    assert words(name) == folded.split()


@pytest.mark.parametrize(
    ("text", "hundredths"), [("75.5", 7550), ("0.05", 5), ("42", 4200), ("1.10", 110)]
)
def test_hectares_are_integers_of_hundredths_both_ways(text, hundredths):
    assert hundredths_of_ha(text) == hundredths
    assert hundredths_of_ha(hectares(hundredths)) == hundredths


@pytest.mark.parametrize("text", ["1.234", "-1", "ten", "1e3.5"])
def test_an_area_with_more_than_two_decimals_or_negative_is_not_an_area(text):
    with pytest.raises(ValueError):
        hundredths_of_ha(text)


def test_a_beneficiary_registered_again_is_updated_and_versioned():
    data = {"beneficiary_id": "MST-1", "kind": "enterprise", "name": "Cơ sở A", "province": "74"}
    first = apply("beneficiary.registered", None, {**data, "tax_code": "3700000001"})
    assert (first.after["version"], first.after["search_name"]) == (1, "co so a")
    second = apply("beneficiary.registered", first.after, {**data, "name": "Cơ sở B"})
    assert (second.after["version"], second.after["name"]) == (2, "Cơ sở B")
    with pytest.raises(Refused, match="kind_changed"):
        apply("beneficiary.registered", first.after, {**data, "kind": "cooperative"})


def test_a_tax_code_belongs_to_one_beneficiary():
    known = Lookup({"MST-1": {"tax_code": "3700000001", "kind": "enterprise"}})
    data = {"beneficiary_id": "MST-2", "kind": "enterprise", "name": "B", "province": "74"}
    with pytest.raises(Refused) as refused:
        apply("beneficiary.registered", None, {**data, "tax_code": "3700000001"}, known)
    assert refused.value.code == "tax_code_taken"


def test_recognition_and_awards_wait_for_their_establishment():
    with pytest.raises(Early):
        apply("craft_village.recognised", None, {"beneficiary_id": "LN-1"})
    product = {
        "product_id": "SP-1",
        "name": "Tranh",
        "beneficiary_id": "X",
        "province": "74",
        "level": "national",
        "year": 2016,
        "decision_no": "1/QĐ",
    }
    with pytest.raises(Early):
        apply("product.awarded", None, product)
    awarded = apply("product.awarded", None, product, Lookup({"X": {"kind": "enterprise"}}))
    assert awarded.subject == "SP-1:2016:national"


def test_an_unknown_province_is_refused():
    data = {"province": "00", "level": "district", "count": 3, "since": "2015-01-01"}
    with pytest.raises(Refused, match="unknown_province"):
        apply("collaborators.reported", None, data)


def test_coverage_counts_networks_in_force_on_the_day():
    networks = [
        {"province": "74", "level": "commune", "count": 91, "since": date(2015, 7, 1)},
        {"province": "74", "level": "district", "count": 9, "since": date(2014, 5, 1)},
        {"province": "89", "level": "district", "count": 11, "since": date(2016, 7, 1)},
        {"province": "72", "level": "district", "count": 0, "since": date(2015, 1, 1)},
        {"province": "01", "level": "district", "count": 5, "since": date(2015, 1, 1)},
    ]
    found = coverage(["74", "89", "72"], networks, date(2016, 6, 30))
    assert (found["with_network"], found["with_commune_network"], found["of"]) == (1, 1, 3)
    assert coverage(["74", "89"], networks, date(2016, 7, 1))["with_network"] == 2


def proposal(pid: str, year: int, state: State, *beneficiaries: str, **over: Any) -> Proposal:
    fields: dict[str, Any] = dict(
        province="74",
        year=year,
        source_fund="national",
        activity="machinery",
        title="t",
        requested_vnd=1,
        counterpart_vnd=0,
        planned_start=ON,
        planned_end=ON,
        state=state,
        beneficiary_ids=list(beneficiaries),
    )
    return Proposal(proposal_id=pid, **(fields | over))


def test_already_supported_lists_earlier_support_of_the_same_activity_within_the_years():
    new = proposal("N", 2016, State.IN_APPRAISAL, "A", "B")
    others = [
        proposal("P1", 2014, State.SETTLED, "A", province="80", source_fund="local"),
        proposal("P2", 2012, State.SETTLED, "A"),  # too long ago
        proposal("P3", 2016, State.REJECTED, "B"),  # never supported
        proposal("P4", 2016, State.APPROVED, "B", activity="training"),  # another activity
        proposal("P5", 2015, State.CONTRACTED, "C"),  # another beneficiary
        new,
    ]
    found = already_supported(new, others, 3)
    assert [(f["proposal_id"], f["beneficiary_id"], f["province"]) for f in found] == [
        ("P1", "A", "80")
    ]
    assert already_supported(new, others, 1) == []


def test_approval_over_the_flag_needs_a_reason():
    flagged = proposal("N", 2016, State.IN_APPRAISAL, "A")
    flagged.already_supported = [{"proposal_id": "P1"}]
    with pytest.raises(Refused, match="already_supported"):
        overrides_already_supported(flagged, {})
    assert overrides_already_supported(flagged, {"override_already_supported": "x"}) == "x"
    assert overrides_already_supported(proposal("M", 2016, State.IN_APPRAISAL), {}) is None
