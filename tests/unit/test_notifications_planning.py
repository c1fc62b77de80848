"""Who is told what, and when: grouping, repeat windows, escalation, resolution, silences."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from notifications.domain.alerts import signal_of, transition
from notifications.domain.model import Level, Recipient, Silence, Status
from notifications.domain.planning import plan_digest, plan_group, repeat_window

EXAMPLES = Path(__file__).resolve().parents[2] / "contracts" / "examples"
NOW = datetime(2016, 7, 1, 1, 0, tzinfo=UTC)
DAY = timedelta(days=1)
DOMAIN = "grantflow.test"

LAN = Recipient("lan", "Nguyễn Thị Lan", "lan@example.com", provinces=("80",))
MINH = Recipient("minh", "Trần Văn Minh", "minh@example.com", provinces=("mekong_delta",))
HOA = Recipient("hoa", "Lê Thị Hoà", "hoa@example.com", provinces=("74",))
BAO = Recipient("bao", "Phạm Quốc Bảo", "bao@example.com", kinds=("tranche_overdue",))


def example(event_type, **changes):
    found = json.loads((EXAMPLES / f"{event_type}.json").read_text(encoding="utf-8"))["data"]
    return {**found, **changes}


def lagging(level="warning", fund="national"):
    data = example("province_lagging", level=level, source_fund=fund)
    alert, _ = transition(None, signal_of("province_lagging", data, 1), NOW - 2 * DAY)
    return alert


def tranche(province="80"):
    data = example("tranche_overdue", province=province)
    alert, _ = transition(None, signal_of("tranche_overdue", data, 3), NOW)
    return alert


def plan(alerts, recipients=(LAN,), notices=None, silences=(), now=NOW):
    return plan_group("80", alerts, recipients, silences, notices or {}, now, DAY, DOMAIN)


def test_alerts_of_a_province_become_one_email_per_following_recipient():
    national, local, overdue = lagging(), lagging(fund="local"), tranche()
    p = plan([national, local, overdue], [LAN, MINH, HOA, BAO])
    by = {e.recipient.id: e for e in p.emails}
    assert sorted(by) == ["bao", "lan", "minh"]  # Hoà follows Bình Dương only
    assert len(by["lan"].firing) == 3 and by["lan"].news == {
        a.fingerprint for a in by["lan"].firing
    }
    assert [a.kind for a in by["bao"].firing] == ["tranche_overdue"]
    assert by["lan"].firing[0].is_state  # the province alert leads, then the facts
    assert p.to_resolve == [overdue]  # a fact is announced once
    assert p.next_due == NOW + DAY  # the next repeat


def test_the_same_state_planned_again_inside_the_repeat_interval_sends_nothing():
    alert = lagging()
    first = plan([alert])
    again = plan([alert], notices=first.notices, now=NOW + timedelta(hours=23))
    assert again.emails == [] and again.next_due == NOW + DAY


def test_delivery_keys_and_message_ids_are_functions_of_the_content_and_window():
    alert = lagging()
    a, b = plan([alert]).emails[0], plan([alert]).emails[0]
    assert (a.key, a.message_id) == (b.key, b.message_id)
    assert a.key == (a.key[0], "lan", repeat_window(NOW, DAY))
    assert a.message_id.endswith("@grantflow.test>")
    other = plan([alert], [MINH]).emails[0]
    assert other.key[0] == a.key[0] and other.message_id != a.message_id


def test_after_the_repeat_interval_the_same_email_is_sent_again_in_its_thread():
    alert = lagging()
    first = plan([alert])
    (original,) = first.emails
    (repeat,) = plan([alert], notices=first.notices, now=NOW + DAY).emails
    assert repeat.repeat and repeat.news == frozenset()
    assert repeat.key[0] == original.key[0] and repeat.key[2] != original.key[2]
    assert repeat.in_reply_to == original.message_id


def test_a_higher_level_is_news_and_a_lower_one_is_not():
    warning = lagging("warning")
    told = plan([warning]).notices
    critical = replace(warning, level=Level.CRITICAL, revision=2)
    (escalated,) = plan([critical], notices=told, now=NOW + timedelta(minutes=5)).emails
    assert escalated.news == {critical.fingerprint}
    assert escalated.in_reply_to == plan([warning]).emails[0].message_id
    told = plan([critical], notices=told, now=NOW + timedelta(minutes=5)).notices
    watch = replace(warning, level=Level.WATCH, revision=3)
    assert plan([watch], notices=told, now=NOW + timedelta(minutes=10)).emails == []


def test_a_resolved_alert_is_told_in_the_thread_to_those_who_heard_it_fire():
    alert = lagging()
    first = plan([alert], [LAN])
    resolving = replace(alert, status=Status.RESOLVING, revision=2)
    p = plan([resolving], [LAN, MINH], notices=first.notices, now=NOW + timedelta(hours=2))
    (resolved,) = p.emails  # Minh never heard it fire: no resolved notice for him
    assert resolved.recipient == LAN and resolved.kind == "resolved"
    assert resolved.in_reply_to == first.emails[0].message_id
    assert resolved.references == (first.emails[0].message_id,)
    assert p.to_resolve == [resolving]
    assert p.notices["lan"].thread_root is None and p.next_due is None  # the thread is over


def test_a_silence_holds_back_what_it_mutes_and_wakes_the_group_when_it_ends():
    alert, fact = lagging(), tranche()
    close = Silence("s1", "80", "province_lagging", NOW - DAY, NOW + 7 * DAY, "khóa sổ")
    p = plan([alert, fact], [LAN], silences=[close])
    (email,) = p.emails
    assert [a.kind for a in email.firing] == ["tranche_overdue"]  # a kind the silence leaves
    assert [(h.alert, h.recipient, h.silence) for h in p.held] == [(alert, LAN, close)]
    assert p.next_due == close.ends_at
    ended = plan([alert], [LAN], notices=p.notices, silences=[close], now=close.ends_at)
    assert [e.firing for e in ended.emails] == [(alert,)] and ended.held == []


def test_a_silence_matches_its_province_and_kind_within_its_period():
    alert = lagging()
    assert Silence("a", None, "province_lagging", NOW, NOW + DAY, "x").mutes(alert, NOW)
    assert not Silence("b", "74", None, NOW, NOW + DAY, "x").mutes(alert, NOW)
    assert not Silence("c", "80", "tranche_overdue", NOW, NOW + DAY, "x").mutes(alert, NOW)
    assert not Silence("d", "80", None, NOW - DAY, NOW, "x").mutes(alert, NOW)  # ended
    assert not Silence("e", "80", None, NOW + DAY, NOW + 2 * DAY, "x").mutes(alert, NOW)


def test_a_fact_joins_the_thread_of_a_firing_province_and_is_not_repeated():
    alert = lagging()
    first = plan([alert])
    fact = tranche()
    (with_fact,) = plan([alert, fact], notices=first.notices, now=NOW + timedelta(hours=1)).emails
    assert with_fact.news == {fact.fingerprint} and len(with_fact.firing) == 2
    assert with_fact.in_reply_to == first.emails[0].message_id


def test_the_digest_lists_what_fires_started_and_was_resolved_for_its_recipient():
    firing, fact = lagging(), tranche()
    resolved = replace(lagging(fund="local"), status=Status.RESOLVED, updated_at=NOW)
    other = tranche("74")
    d = plan_digest(
        LAN, [firing, fact, resolved, other], [], date(2016, 7, 1), NOW - DAY, NOW, DOMAIN
    )
    assert d.firing == (firing,) and d.started == (fact,) and d.resolved == (resolved,)
    assert d.key == ("digest", "lan", "2016-07-01")
    assert plan_digest(HOA, [firing], [], date(2016, 7, 1), NOW, NOW, DOMAIN) is None
