"""`Contract.parse`: one structured-mode CloudEvent in, an `Envelope` or a stable code out."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from grantflow.contract import Contract, Envelope
from grantflow.errors import Refused
from tests.support import events

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"
HANDLED = ("proposal.submitted", "proposal.approved", "contract.signed", "progress.reported")


@pytest.fixture(scope="module")
def contract() -> Contract:
    return Contract(CONTRACTS)


def refused(contract: Contract, body: bytes | str, accepted: Any = None) -> Refused:
    with pytest.raises(Refused) as caught:
        contract.parse(body, accepted)
    assert caught.value.detail, "every refusal says why"
    return caught.value


def dumps(event: dict[str, Any]) -> str:
    return json.dumps(event, ensure_ascii=False)


def test_a_body_that_is_not_json_is_refused_as_not_json(contract):
    assert refused(contract, b"{not json").code == "not_json"


def test_a_body_that_is_not_utf8_is_refused_as_not_json(contract):
    assert refused(contract, b'{"id": "\xff\xfe"}').code == "not_json"


def test_a_json_array_is_refused_as_not_a_cloudevent(contract):
    body = json.dumps([events.submitted("EP-1")])
    assert refused(contract, body).code == "not_cloudevent"


def test_a_json_scalar_is_refused_as_not_a_cloudevent(contract):
    assert refused(contract, b"42").code == "not_cloudevent"


def test_an_event_without_specversion_is_refused_as_not_a_cloudevent(contract):
    event = events.submitted("EP-1")
    del event["specversion"]
    error = refused(contract, dumps(event))
    assert error.code == "not_cloudevent"
    assert "specversion" in error.detail


def test_an_event_of_another_specversion_is_refused_as_not_a_cloudevent(contract):
    event = {**events.submitted("EP-1"), "specversion": "0.3"}
    assert refused(contract, dumps(event)).code == "not_cloudevent"


def test_an_unknown_type_is_refused_as_unknown_type(contract):
    event = {**events.submitted("EP-1"), "type": "proposal.teleported"}
    error = refused(contract, dumps(event))
    assert error.code == "unknown_type"
    assert "proposal.teleported" in error.detail


def test_a_known_type_outside_the_accepted_ones_is_refused_as_unknown_type(contract):
    plan = events.event(
        "plan.approved",
        {"province": "74", "year": 2016, "source_fund": "national", "amount_vnd": 10**9},
    )
    assert contract.parse(dumps(plan)).type == "plan.approved"
    assert refused(contract, dumps(plan), HANDLED).code == "unknown_type"


def test_a_float_amount_is_refused_as_amount_not_integer(contract):
    body = dumps(events.approved("EP-1")).replace("150000000", "150000000.0")
    assert "150000000.0" in body
    error = refused(contract, body, HANDLED)
    assert error.code == "amount_not_integer"
    assert "approved_vnd" in error.detail


def test_a_float_amount_in_a_tranche_is_refused_as_amount_not_integer(contract):
    event = events.contract_signed("EP-1")
    body = dumps(event).replace('"amount_vnd": 105000000', '"amount_vnd": 105000000.0')
    assert "105000000.0" in body
    error = refused(contract, body, HANDLED)
    assert error.code == "amount_not_integer"
    assert "tranches/0/amount_vnd" in error.detail


def test_a_float_where_a_non_money_integer_belongs_is_a_schema_violation(contract):
    body = dumps(events.submitted("EP-1")).replace('"year": 2016', '"year": 2016.0')
    assert refused(contract, body, HANDLED).code == "schema_violation"


def test_an_amount_as_a_string_is_a_schema_violation(contract):
    event = events.approved("EP-1")
    event["data"]["approved_vnd"] = "150000000"
    error = refused(contract, dumps(event), HANDLED)
    assert error.code == "schema_violation"
    assert "approved_vnd" in error.detail


def test_a_negative_amount_is_a_schema_violation(contract):
    assert refused(contract, dumps(events.approved("EP-1", -1)), HANDLED).code == (
        "schema_violation"
    )


def test_a_time_without_offset_is_refused_as_not_a_cloudevent(contract):
    event = {**events.submitted("EP-1"), "time": "2016-03-01T08:00:00"}
    error = refused(contract, dumps(event), HANDLED)
    assert error.code == "not_cloudevent"
    assert "time" in error.detail


def test_a_source_that_is_not_a_uri_reference_is_refused_as_not_a_cloudevent(contract):
    event = {**events.submitted("EP-1"), "source": "khuyen cong center"}
    assert refused(contract, dumps(event), HANDLED).code == "not_cloudevent"


def test_a_source_that_is_not_a_uri_reference_is_refused_with_a_detail_naming_it(contract):
    event = {**events.submitted("EP-1"), "source": "khuyen cong center"}
    assert "source" in refused(contract, dumps(event), HANDLED).detail


def test_a_missing_required_data_field_is_a_schema_violation(contract):
    event = events.submitted("EP-1")
    del event["data"]["planned_end"]
    error = refused(contract, dumps(event), HANDLED)
    assert error.code == "schema_violation"
    assert "planned_end" in error.detail


def test_a_valid_event_gives_an_envelope_with_its_attributes(contract):
    raw = events.submitted("EP-1")
    envelope = contract.parse(dumps(raw).encode(), HANDLED)
    assert isinstance(envelope, Envelope)
    assert (envelope.id, envelope.source, envelope.type) == (
        raw["id"],
        raw["source"],
        "proposal.submitted",
    )
    assert envelope.subject == "EP-1"
    assert envelope.version is None
    assert envelope.time == datetime(2016, 3, 1, 1, 0, tzinfo=UTC)
    assert envelope.time.utcoffset() == timedelta(hours=7)
    assert envelope.on == date(2016, 3, 1)


def test_the_day_of_an_event_is_the_day_at_its_own_offset(contract):
    event = {**events.submitted("EP-1"), "time": "2016-03-01T23:30:00+07:00"}
    assert contract.parse(dumps(event)).on == date(2016, 3, 1)


def test_a_lower_case_z_time_is_accepted_as_utc(contract):
    event = {**events.submitted("EP-1"), "time": "2016-03-01T08:00:00z"}
    assert contract.parse(dumps(event)).time == datetime(2016, 3, 1, 8, 0, tzinfo=UTC)


def test_money_in_a_valid_event_is_int_and_percent_complete_is_float(contract):
    signed = contract.parse(dumps(events.contract_signed("EP-1")), HANDLED)
    amounts = [signed.data["amount_vnd"], *(t["amount_vnd"] for t in signed.data["tranches"])]
    assert all(type(a) is int for a in amounts)
    assert amounts == [150_000_000, 105_000_000, 45_000_000]

    progress = contract.parse(dumps(events.progress("EP-1", percent=62.5)), HANDLED)
    assert type(progress.data["percent_complete"]) is float
    assert progress.data["percent_complete"] == 62.5


def test_no_decimal_survives_in_the_data_of_a_valid_event(contract):
    from decimal import Decimal

    progress = contract.parse(dumps(events.progress("EP-1", percent=12.25)), HANDLED)

    def walk(value: Any) -> None:
        assert not isinstance(value, Decimal)
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(progress.data)


@pytest.mark.parametrize(
    "title",
    ["\\u0000 escaped NUL", "\\uD800 escaped surrogate", "\\udfff low surrogate"],
)
@pytest.mark.parametrize("as_bytes", [False, True])
def test_nul_or_a_lone_surrogate_is_refused_however_it_is_written(contract, title, as_bytes):
    """The walk of every value is skipped only when the text cannot hold what it refuses."""
    body = dumps(events.submitted("PB-1", title="TITLE")).replace("TITLE", title)
    got = refused(contract, body.encode() if as_bytes else body)
    assert got.code == "schema_violation" and "/data/title" in got.detail


def test_nesting_deeper_than_the_limit_is_refused_inside_the_data(contract):
    event = events.submitted("PB-2")
    nested: dict[str, Any] = {}
    for _ in range(40):
        nested = {"x": nested}
    event["data"]["targets"] = nested
    assert refused(contract, dumps(event)).code == "too_deep"


def test_an_escaped_character_that_is_not_a_surrogate_passes(contract):
    body = dumps(events.submitted("PB-3", title="TITLE")).replace("TITLE", "\\u00e9 \\ud7ff")
    assert contract.parse(body).data["title"] == "\u00e9 \ud7ff"
