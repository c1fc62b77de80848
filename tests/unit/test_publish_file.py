"""grantflow_tools.publish.read_events: the three file shapes `grantflow publish` accepts."""

from __future__ import annotations

import json

import pytest

from grantflow_tools.publish import read_events
from tests.support import events as ev

PID = "DA-2016-74-0001"


def test_a_json_array_gives_its_events_in_order():
    lifecycle = ev.full_lifecycle(PID)
    events = read_events(json.dumps(lifecycle, ensure_ascii=False, indent=2))
    assert events == lifecycle
    assert events[0]["type"] == "proposal.submitted"
    assert len(events) == 7


def test_a_json_array_with_leading_whitespace_is_still_an_array():
    lifecycle = ev.full_lifecycle(PID)[:2]
    assert read_events("\n\n  " + json.dumps(lifecycle)) == lifecycle


def test_a_single_object_gives_one_event():
    one = ev.submitted(PID)
    events = read_events(json.dumps(one, ensure_ascii=False))
    assert events == [one]


def test_a_single_pretty_printed_object_gives_one_event():
    one = ev.submitted(PID)
    events = read_events(json.dumps(one, ensure_ascii=False, indent=2) + "\n")
    assert events == [one]


def test_json_lines_with_blank_lines_give_one_event_per_non_blank_line():
    lifecycle = ev.full_lifecycle(PID)[:3]
    lines = [json.dumps(e, ensure_ascii=False) for e in lifecycle]
    text = "\n" + lines[0] + "\n\n   \n" + lines[1] + "\n" + lines[2] + "\n\n"
    events = read_events(text)
    assert events == lifecycle
    assert [e["type"] for e in events] == [
        "proposal.submitted",
        "proposal.appraised",
        "proposal.approved",
    ]


def test_json_lines_keep_vietnamese_text_and_int_money():
    events = read_events(json.dumps(ev.submitted(PID), ensure_ascii=False) + "\n")
    assert events[0]["data"]["title"] == "Máy chà nhám tự động cho HTX sơn mài"
    assert type(events[0]["data"]["requested_vnd"]) is int


def test_a_bad_json_line_is_a_value_error_naming_its_line_number():
    good = json.dumps(ev.submitted(PID))
    text = "\n".join([good, "", good, "{not json", good])
    with pytest.raises(ValueError, match=r"\bline 4\b"):
        read_events(text)


def test_a_bad_first_line_is_reported_as_line_1():
    with pytest.raises(ValueError, match=r"\bline 1\b"):
        read_events("not json at all\n" + json.dumps(ev.submitted(PID)))


def test_an_event_without_a_type_is_a_value_error():
    event = ev.submitted(PID)
    del event["type"]
    with pytest.raises(ValueError, match="type"):
        read_events(json.dumps(event))


def test_an_event_without_a_type_in_an_array_is_named_by_its_position():
    events = ev.full_lifecycle(PID)[:3]
    del events[1]["type"]
    with pytest.raises(ValueError, match=r"event 2\b"):
        read_events(json.dumps(events))


@pytest.mark.parametrize("bad", [{"type": 7}, {"type": None}, ["proposal.submitted"], "x"])
def test_a_type_that_is_not_a_string_or_an_entry_that_is_not_an_object_is_refused(bad):
    with pytest.raises(ValueError, match="type"):
        read_events(json.dumps([ev.submitted(PID), bad]))


def test_an_event_without_a_type_in_json_lines_is_a_value_error():
    event = ev.approved(PID)
    event.pop("type")
    text = json.dumps(ev.submitted(PID)) + "\n" + json.dumps(event) + "\n"
    with pytest.raises(ValueError, match=r"event 2\b"):
        read_events(text)
