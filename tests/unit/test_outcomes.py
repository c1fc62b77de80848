"""`decided`: a rule's decision for one event of a batch, or the outcome that stands for it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grantflow.contract import Contract, Envelope
from grantflow.errors import Refused
from grantflow.outcomes import NotApplied, decided
from grantflow_tools.samples import submitted

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"


@pytest.fixture
def event() -> Envelope:
    return Contract(CONTRACTS).parse(json.dumps(submitted("P-1")))


def test_what_the_rule_decides_is_answered_as_it_is(event):
    assert decided(event, lambda a, b: (a, b), 1, "two") == (1, "two")


def test_a_refusal_is_the_events_outcome_and_is_not_retried(event):
    def refuse() -> None:
        raise Refused("ceiling_exceeded", "over the ceiling")

    outcome = decided(event, refuse)
    assert isinstance(outcome, NotApplied) and not outcome.retryable
    assert outcome.error.code == "ceiling_exceeded"


def test_a_bug_in_the_rule_is_retried_later_and_logged_with_the_event(event, caplog):
    outcome = decided(event, lambda: {}["missing"])
    assert isinstance(outcome, NotApplied) and outcome.retryable
    assert outcome.error.code == "handler_error"
    assert outcome.error.detail == "KeyError: 'missing'"
    (record,) = [r for r in caplog.records if r.name == "grantflow.outcomes"]
    assert record.event_id == event.id and record.exc_info is not None
