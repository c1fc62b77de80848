"""From announced events to alerts: fingerprints, levels, escalation, recovery, staleness."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from notifications.domain.alerts import Urgency, signal_of, transition
from notifications.domain.model import Level, Status

EXAMPLES = Path(__file__).resolve().parents[2] / "contracts" / "examples"
NOW = datetime(2016, 7, 1, 1, 0, tzinfo=UTC)


def data(event_type, **changes):
    found = json.loads((EXAMPLES / f"{event_type}.json").read_text(encoding="utf-8"))["data"]
    return {**found, **changes}


def lagging(level="warning", version=1, **changes):
    return signal_of("province_lagging", data("province_lagging", level=level, **changes), version)


def test_province_alerts_are_fingerprinted_by_kind_province_year_and_fund():
    s = lagging()
    assert s.fingerprint == "province_lagging:80:2016:national"
    assert (s.kind, s.level, s.firing) == ("province_lagging", Level.WARNING, True)
    local = lagging(source_fund="local")
    assert local.fingerprint == "province_lagging:80:2016:local"
    recovery = signal_of("province_recovered", data("province_recovered"), 2)
    assert recovery.fingerprint == s.fingerprint and not recovery.firing


@pytest.mark.parametrize(
    ("event_type", "fingerprint", "kind", "level"),
    [
        (
            "tranche_overdue",
            "tranche_overdue:74:2016:national:BD-2016-KC-001:1",
            "tranche_overdue",
            Level.WARNING,
        ),
        (
            "repayment_overdue",
            "repayment_overdue:68:2016:local:LD-2016-KC-007:1",
            "repayment_overdue",
            Level.WARNING,
        ),
        (
            "proposal_overdue",
            "proposal_overdue:80:2016:national:LA-2016-004:no_contract_30_days",
            "proposal_overdue",
            Level.WATCH,
        ),
        (
            "settlement_recorded",
            "refund_due:74:2016:national:BD-2016-KC-001",
            "refund_due",
            Level.WATCH,
        ),
    ],
)
def test_facts_about_proposals_have_their_own_fingerprints(event_type, fingerprint, kind, level):
    s = signal_of(event_type, data(event_type), 3)
    assert (s.fingerprint, s.kind, s.level, s.version) == (fingerprint, kind, level, None)


def test_a_settlement_without_refund_is_no_alert():
    assert (
        signal_of("settlement_recorded", data("settlement_recorded", refund_due_vnd=0), 4) is None
    )


def test_a_new_alert_fires_and_waits_for_its_group():
    alert, urgency = transition(None, lagging(), NOW)
    assert (alert.status, alert.episode, alert.level, urgency) == (
        Status.FIRING,
        1,
        Level.WARNING,
        Urgency.GROUP,
    )


def test_the_same_level_again_is_no_news_and_a_higher_level_is_urgent():
    first, _ = transition(None, lagging("warning", 1), NOW)
    same, urgency = transition(first, lagging("warning", 2), NOW)
    assert urgency is Urgency.NONE and same.level == Level.WARNING and same.version == 2
    higher, urgency = transition(same, lagging("critical", 3), NOW)
    assert urgency is Urgency.NOW and higher.level == Level.CRITICAL
    lower, urgency = transition(higher, lagging("watch", 4), NOW)
    assert urgency is Urgency.NONE and lower.level == Level.WATCH


def test_an_older_announcement_arriving_late_changes_nothing():
    current, _ = transition(None, lagging("critical", 5), NOW)
    assert transition(current, lagging("watch", 4), NOW) == (None, Urgency.NONE)
    assert transition(current, lagging("critical", 5), NOW) == (None, Urgency.NONE)


def test_recovery_resolves_a_firing_alert_and_a_relapse_is_a_new_episode():
    firing, _ = transition(None, lagging("warning", 1), NOW)
    recovery = signal_of("province_recovered", data("province_recovered"), 2)
    resolving, urgency = transition(firing, recovery, NOW)
    assert (resolving.status, urgency) == (Status.RESOLVING, Urgency.GROUP)
    assert resolving.data["recovery"]["rate"] == 0.61 and resolving.data["rate"] == 0.0812
    told = replace(resolving, status=Status.RESOLVED)
    relapse, urgency = transition(told, lagging("warning", 3), NOW + timedelta(days=30))
    assert (relapse.status, relapse.episode, urgency) == (Status.FIRING, 2, Urgency.GROUP)


def test_recovery_of_what_does_not_fire_changes_nothing():
    recovery = signal_of("province_recovered", data("province_recovered"), 2)
    assert transition(None, recovery, NOW) == (None, Urgency.NONE)


def test_a_relapse_before_the_resolved_notice_went_out_stays_in_the_episode():
    firing, _ = transition(None, lagging("warning", 1), NOW)
    resolving, _ = transition(
        firing, signal_of("province_recovered", data("province_recovered"), 2), NOW
    )
    again, urgency = transition(resolving, lagging("warning", 3), NOW)
    assert (again.status, again.episode, urgency) == (Status.FIRING, 1, Urgency.GROUP)


def test_a_fact_is_told_once_even_under_a_new_event_id():
    tranche = signal_of("tranche_overdue", data("tranche_overdue"), 3)
    alert, urgency = transition(None, tranche, NOW)
    assert urgency is Urgency.GROUP and not alert.is_state
    assert transition(alert, tranche, NOW) == (None, Urgency.NONE)
