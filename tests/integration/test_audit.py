"""The audit trail: every accepted change with who, when, what, before and after; refusals too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
import requests

from grantflow.auth import ROLES
from tests.support import events, money
from tests.support.auth import header
from tests.support.broker import DEAD
from tests.support.waiting import wait_until

AUDITOR = header("auditor", sub="kiem-toan-1")
OFFICER_74 = header("province_officer", sub="cb-74-lan", provinces=["74"])


def trail(base: str, auth: dict[str, str] | None = None, **params: Any) -> list[dict[str, Any]]:
    r = requests.get(f"{base}/api/v1/audit", params=params, headers=auth or AUDITOR, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def accepted(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [i for i in items if i["outcome"] == "accepted"]


def recorded(base: str, pid: str, action: str) -> bool:
    return any(r["action"] == action for r in trail(base, proposal_id=pid))


def test_every_change_of_a_scenario_is_in_the_trail_with_who_before_and_after(pipeline):
    pid = "AUD-74-1"
    lifecycle = events.full_lifecycle(pid)
    pipeline.broker.publish(money.plan("74", 2016, "national", 3_000_000_000))
    r = requests.post(
        f"{pipeline.proposals}/api/v1/events",
        json=lifecycle[0],
        headers={**OFFICER_74, "Content-Type": "application/cloudevents+json"},
        timeout=10,
    )
    assert r.status_code == 202, r.text
    pipeline.broker.publish_all(lifecycle[1:4])  # appraised, approved, contract signed
    wait_until(lambda: recorded(pipeline.disbursement, pid, "contract_signed"), 20, "the contract")
    pipeline.broker.publish(money.payment(pid, 50_000_000))
    pipeline.broker.publish_all(lifecycle[4:])
    wait_until(lambda: recorded(pipeline.disbursement, pid, "proposal_settled"), 20, "settlement")

    rows = accepted(trail(pipeline.proposals, proposal_id=pid))
    assert [r["action"] for r in rows] == [e["type"] for e in lifecycle]
    assert [r["event_id"] for r in rows] == [e["id"] for e in lifecycle]
    assert rows[0]["actor"] == "cb-74-lan"  # posted over HTTP: the token's subject ...
    assert rows[0]["source"] == lifecycle[0]["source"]  # ... and the event's source
    for row, event in zip(rows[1:], lifecycle[1:], strict=True):
        assert row["actor"] == row["source"] == event["source"]  # over AMQP: the source
    assert rows[0]["before"] is None
    assert rows[-1]["after"]["state"] == "settled"
    for earlier, later in pairwise(rows):
        assert later["before"] == earlier["after"]  # nothing changed off the record
        assert later["after"]["version"] == later["before"]["version"] + 1
    assert all(r["recorded_at"] and r["proposal_id"] == pid for r in rows)

    money_rows = accepted(trail(pipeline.disbursement, proposal_id=pid))
    by_action = {r["action"]: r for r in money_rows}
    assert {"contract_signed", "disbursement.made", "proposal_settled"} <= set(by_action)
    paid = by_action["disbursement.made"]
    assert paid["actor"] == money.TREASURY
    assert (paid["before"]["paid_vnd"], paid["after"]["paid_vnd"]) == (0, 50_000_000)
    assert by_action["contract_signed"]["before"] is None
    assert by_action["contract_signed"]["actor"] == "grantflow/proposals"
    assert by_action["proposal_settled"]["after"]["stage"] == "settled"
    plans = [r for r in accepted(trail(pipeline.disbursement)) if r["action"] == "plan.approved"]
    assert [(p["subject"], p["before"], p["after"]["version"]) for p in plans] == [
        ("74:2016:national", None, 1)
    ]

    evaluation = pipeline.post("reporting", "/api/v1/lag-evaluations", {"as_of": "2016-12-31"})
    assert evaluation.status_code == 200, evaluation.text
    levels = [r for r in trail(pipeline.reporting) if r["action"] == "level.changed"]
    assert len(levels) == len(evaluation.json()["announced"]) - sum(
        1 for a in evaluation.json()["announced"] if a["type"] == "proposal_overdue"
    )
    assert all(r["actor"] == "test-central_officer" and r["after"]["level"] for r in levels)


def test_a_403_and_a_dead_letter_are_in_the_trail_as_refused(proposals):
    h = proposals
    r = requests.get(f"{h.base}/api/v1/audit", headers=header("finance", sub="ke-toan"), timeout=10)
    assert r.status_code == 403
    forged = {**events.appraised("AUD-74-2"), "source": events.CENTRE}  # only the ministry
    h.broker.publish_all([events.submitted("AUD-74-2"), forged])
    h.broker.publish(b'{"not": "an event"', routing_key="proposal.submitted")
    dead = h.dead_letters(2)
    assert len(dead) == 2

    def refused() -> list[dict[str, Any]]:
        return [i for i in trail(h.base) if i["outcome"] == "refused"]

    wait_until(lambda: len(refused()) >= 3, 10, "three refusals in the trail")
    rows = refused()
    forbidden = next(r for r in rows if r["code"] == "forbidden")
    assert (forbidden["actor"], forbidden["action"]) == ("ke-toan", "GET /api/v1/audit")
    assert "finance" in forbidden["detail"]
    untrusted = next(r for r in rows if r["code"] == "source_not_allowed")
    assert untrusted["actor"] == untrusted["source"] == events.CENTRE
    assert untrusted["action"] == "proposal.appraised"
    assert (untrusted["event_id"], untrusted["proposal_id"]) == (forged["id"], "AUD-74-2")
    assert untrusted["after"] is None and untrusted["detail"].startswith("dead-lettered")
    garbled = next(r for r in rows if r["code"] not in ("forbidden", "source_not_allowed"))
    assert garbled["actor"] == "unknown"
    assert h.state_of("AUD-74-2") == "submitted"
    h.broker.purge(DEAD)


def test_the_trail_is_filtered_by_proposal_actor_and_time(proposals):
    h = proposals
    start = datetime.now(UTC) - timedelta(seconds=1)
    for pid in ("AUD-74-3", "AUD-74-4"):
        h.broker.publish(events.submitted(pid))
    h.post(events.submitted("AUD-74-5"))  # by the test suite's central officer
    for pid in ("AUD-74-3", "AUD-74-4", "AUD-74-5"):
        h.wait_state(pid, "submitted")

    assert [r["proposal_id"] for r in trail(h.base, proposal_id="AUD-74-4")] == ["AUD-74-4"]
    mine = trail(h.base, actor="test-central_officer")
    assert [r["proposal_id"] for r in mine] == ["AUD-74-5"]
    centre = events.submitted("AUD-74-3")["source"]
    assert {r["proposal_id"] for r in trail(h.base, actor=centre)} == {
        "AUD-74-3",
        "AUD-74-4",
    }
    assert len(trail(h.base, since=start.isoformat())) == 3
    assert len(trail(h.base, since=start.date().isoformat())) >= 3
    assert trail(h.base, since=(datetime.now(UTC) + timedelta(hours=1)).isoformat()) == []
    page = requests.get(
        f"{h.base}/api/v1/audit", params={"limit": 2}, headers=AUDITOR, timeout=10
    ).json()
    rest = trail(h.base, after=page["next"])
    assert len(page["items"]) == 2 and len(rest) == 1
    bad = requests.get(
        f"{h.base}/api/v1/audit", params={"since": "yesterday"}, headers=AUDITOR, timeout=10
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_query"


@pytest.mark.parametrize("role", ROLES)
def test_only_auditors_and_the_central_office_read_the_trail(proposals, role):
    r = requests.get(
        f"{proposals.base}/api/v1/audit", headers=header(role, provinces=["74"]), timeout=10
    )
    if role in ("auditor", "central_officer"):
        assert r.status_code == 200, r.text
    else:
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "forbidden"


def test_recipient_and_silence_changes_are_recorded_under_the_token_subject(notifications):
    h = notifications
    lan = header("central_officer", sub="vu-truong-lan")
    url = f"{h.base}/api/v1/recipients"
    body = {"name": "Lan", "email": "lan@example.com", "provinces": ["80"], "kinds": "all"}
    created = requests.post(url, json=body, headers=lan, timeout=10).json()
    changed = {**body, "provinces": ["80", "74"]}
    assert requests.put(f"{url}/{created['id']}", json=changed, headers=lan, timeout=10).ok
    assert requests.delete(f"{url}/{created['id']}", headers=lan, timeout=10).status_code == 204
    silence = requests.post(
        f"{h.base}/api/v1/silences",
        json={
            "province": "80",
            "kind": "province_lagging",
            "ends_at": "2099-01-31T00:00:00Z",
            "comment": "year-end close",
            "created_by": "lan",
        },
        headers=lan,
        timeout=10,
    ).json()

    rows = trail(h.base, actor="vu-truong-lan")
    assert [(r["action"], r["subject"]) for r in rows] == [
        ("recipient.created", created["id"]),
        ("recipient.replaced", created["id"]),
        ("recipient.deleted", created["id"]),
        ("silence.created", silence["id"]),
    ]
    assert rows[0]["before"] is None and rows[0]["after"]["provinces"] == ["80"]
    assert rows[1]["before"]["provinces"] == ["80"]
    assert rows[1]["after"]["provinces"] == ["80", "74"]
    assert rows[2]["after"] is None and rows[3]["after"]["province"] == "80"
