"""Access control on every /api/v1 endpoint of every service.

The endpoints are read from the services' own entrypoints, so a new endpoint is covered (and
must declare `allow=`) without anyone editing this file.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import jwt
import pytest
import requests
from sqlalchemy import text

from grantflow.auth import PROVINCE_OFFICER, ROLES
from grantflow.http import ApiHandler
from grantflow_tools import samples
from grantflow_tools.registry import SERVICES
from tests.integration.conftest import NOTIFY_TEST_CONFIG, _service_queues, _service_tables
from tests.support import money
from tests.support import registry as registry_events
from tests.support.auth import SECRET, header
from tests.support.services import free_port, in_process
from tests.support.waiting import wait_until

PID = "ACL-74-1"  # a proposal of Bình Dương (74), seeded with its contract
PATH_VALUES = {"proposal_id": PID, "rid": "nobody", "sid": "none", "dead_id": "1"}
PATH_VALUES["region"] = "south_2016"
PATH_VALUES["beneficiary_id"] = "MST-3700000074"  # a registry beneficiary of 74, seeded


def endpoints() -> list[tuple[str, str, str, frozenset[str]]]:
    """(service, method, url, allowed roles) of every protected entrypoint of every service."""
    found = []
    for name, entry in SERVICES.items():
        cls = entry.load()
        for attr in dir(cls):
            for ep in getattr(getattr(cls, attr), "nameko_entrypoints", ()):
                if isinstance(ep, ApiHandler) and ep.url.startswith("/api/"):
                    found.append((name, ep.method, ep.url, ep.allow))
    return sorted(found)


ENDPOINTS = endpoints()
IDS = [f"{s}:{m}:{u}" for s, m, u, _ in ENDPOINTS]


def concrete(url: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: PATH_VALUES[m.group(1)], url)


@pytest.fixture(scope="module")
def services(amqp_uri: str, database_url: str, engine) -> Iterator[dict[str, str]]:
    """All four services in this process, with one contracted proposal of province 74.
    (Module-scoped, so before the default token: its requests carry their own.)"""
    from tests.support.broker import DEAD, Broker

    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(_service_tables())}"))
    leftovers = Broker(amqp_uri)  # earlier tests' messages would change the counts later
    leftovers.purge(DEAD, *_service_queues())
    leftovers.close()
    notify = {**NOTIFY_TEST_CONFIG, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": free_port()}
    with ExitStack() as stack:
        bases = {}
        for name, entry in SERVICES.items():
            cls = entry.load()
            extra = notify if name == "notifications" else {}
            bases[name] = stack.enter_context(in_process(cls, amqp_uri, database_url, **extra))
        broker = Broker(amqp_uri)
        stack.callback(broker.close)
        # up to the approval (v3), so that the contract announced below (v4) follows without
        # a gap; else reporting dead-letters it (version_gap) in the middle of the tests
        for event in samples.full_lifecycle(PID)[:3]:
            r = requests.post(
                f"{bases['proposals']}/api/v1/events", json=event, headers=header(), timeout=10
            )
            assert r.status_code == 202, r.text
        broker.announce(money.contract_signed(PID, 150_000_000))
        seeded = registry_events.beneficiary(PATH_VALUES["beneficiary_id"], "Công ty A")
        r = requests.post(
            f"{bases['registry']}/api/v1/events", json=seeded, headers=header(), timeout=10
        )
        assert r.status_code == 202, r.text
        ledger = f"{bases['disbursement']}/api/v1/proposals/{PID}/ledger"
        wait_until(
            lambda: requests.get(ledger, headers=header(), timeout=5).status_code == 200,
            15,
            "the ledger",
        )
        wait_until(lambda: quiet(engine), 30, "reporting to project the contract")
        yield bases


def quiet(engine) -> bool:
    """The contract has reached reporting and nothing moved for half a second."""
    before = snapshot(engine)
    time.sleep(0.5)
    return before.get("reporting_money", 0) >= 1 and snapshot(engine) == before


def snapshot(engine) -> dict[str, int]:
    """Row counts of every table but the audit trails (a refusal is recorded there)."""
    with engine.connect() as conn:
        return {
            t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in _service_tables()
            if not t.endswith("_audit")
        }


def refusals(engine, service: str) -> list[tuple[str, str]]:
    """(actor, action) of the refused attempts in a service's audit trail."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(f"SELECT actor, action FROM {service}_audit WHERE outcome = 'refused'")
        )
        return [tuple(r) for r in rows]


def call(bases: dict[str, str], service: str, method: str, url: str, auth: str | None):
    headers = {"Authorization": auth or "", "Content-Type": "application/cloudevents+json"}
    body = samples.submitted("ACL-80-9", province="80") if method != "GET" else None
    return requests.request(
        method, bases[service] + concrete(url), json=body, headers=headers, timeout=10
    )


def signed(claims: dict[str, Any]) -> str:
    base = {"sub": "t", "role": "central_officer", "aud": "grantflow", "exp": time.time() + 60}
    return "Bearer " + jwt.encode({**base, **claims}, SECRET, algorithm="HS256")


BAD_TOKENS = {
    "none": None,
    "not_bearer": "Basic dXNlcjpwYXNz",
    "expired": signed({"exp": time.time() - 120}),  # beyond AUTH_LEEWAY_SECONDS
    "wrong_audience": signed({"aud": "another-system"}),
    "wrong_secret": "Bearer " + jwt.encode({"sub": "t", "role": "auditor"}, "x" * 40, "HS256"),
}


@pytest.mark.parametrize(("service", "method", "url", "allow"), ENDPOINTS, ids=IDS)
@pytest.mark.parametrize("bad", list(BAD_TOKENS))
def test_will_refuse_a_missing_or_bad_token_with_401_and_change_nothing(
    services, engine, service, method, url, allow, bad
):
    before = snapshot(engine)
    r = call(services, service, method, url, BAD_TOKENS[bad])
    assert r.status_code == 401, r.text
    assert r.json()["error"]["code"] == "unauthenticated"
    assert r.headers["WWW-Authenticate"].startswith('Bearer realm="grantflow"')
    assert snapshot(engine) == before


@pytest.mark.parametrize(("service", "method", "url", "allow"), ENDPOINTS, ids=IDS)
def test_will_refuse_every_role_outside_allow_with_403_and_change_nothing(
    services, engine, service, method, url, allow
):
    assert allow, f"{method} {url} must say who may call it"
    before = snapshot(engine)
    for role in sorted(set(ROLES) - allow):
        auth = header(role, provinces=["74"])["Authorization"]
        r = call(services, service, method, url, auth)
        assert r.status_code == 403, (role, r.text)
        assert r.json()["error"]["code"] == "forbidden"
        attempt = (f"test-{role}", f"{method} {concrete(url)}")
        assert attempt in refusals(engine, service), "a 403 is recorded in the audit trail"
    assert snapshot(engine) == before


# Every endpoint a province officer may call must be listed here with what it shows of
# another province: "hidden" (a single resource: answered exactly as an unknown one, 404 or
# the rule's `unknown_proposal`, so nothing of its state shows), "refused" (a post that claims
# another province in its data: 403) or "filtered" (a list: rows only of the token's
# provinces). A new endpoint open to province officers fails until it is.
PROVINCE_BEHAVIOUR = {
    ("proposals", "GET", "/api/v1/proposals"): "filtered",
    ("proposals", "GET", "/api/v1/proposals/<path:proposal_id>"): "hidden",
    ("proposals", "POST", "/api/v1/events"): "hidden",
    ("disbursement", "GET", "/api/v1/plans"): "filtered",
    ("disbursement", "GET", "/api/v1/disbursement-rates"): "filtered",
    ("disbursement", "GET", "/api/v1/proposals/<path:proposal_id>/ledger"): "hidden",
    ("disbursement", "POST", "/api/v1/events"): "refused",
    ("reporting", "GET", "/api/v1/reports/provinces"): "filtered",
    ("reporting", "GET", "/api/v1/warnings"): "filtered",
    ("registry", "GET", "/api/v1/beneficiaries"): "filtered",
    ("registry", "GET", "/api/v1/beneficiaries/<path:beneficiary_id>"): "hidden",
    ("registry", "GET", "/api/v1/products"): "filtered",
    ("registry", "GET", "/api/v1/clusters"): "filtered",
    ("registry", "POST", "/api/v1/events"): "refused",
}


def test_every_endpoint_open_to_province_officers_says_what_it_shows_of_other_provinces():
    open_to_them = {(s, m, u) for s, m, u, allow in ENDPOINTS if PROVINCE_OFFICER in allow}
    assert open_to_them == set(PROVINCE_BEHAVIOUR)


def test_every_service_serves_its_audit_trail_to_auditors_and_the_central_office_only():
    audit = {s: allow for s, m, u, allow in ENDPOINTS if (m, u) == ("GET", "/api/v1/audit")}
    assert set(audit) == {s for s, *_ in ENDPOINTS}  # every service with an API (not the pages)
    assert all(allow == {"auditor", "central_officer"} for allow in audit.values())


def officer_of(*provinces: str) -> dict[str, str]:
    return header(PROVINCE_OFFICER, sub="cb-" + "-".join(provinces), provinces=list(provinces))


def _as_officer_of_80(services, service: str, method: str, url: str, pid: str):
    body = None
    if method == "POST" and service == "proposals":
        body = samples.appraised(pid)
    elif method == "POST" and service == "registry":
        body = registry_events.beneficiary("MST-3700000075", "Công ty B")  # of 74
    elif method == "POST":
        body = money.plan("74", 2016, "national", 1_000_000_000)
    return requests.request(
        method,
        services[service] + re.sub(r"<(?:\w+:)?(?:proposal|beneficiary)_id>", pid, url),
        json=body,
        headers={**officer_of("80"), "Content-Type": "application/cloudevents+json"},
        timeout=10,
    )


@pytest.mark.parametrize(
    ("service", "method", "url"),
    [k for k, v in PROVINCE_BEHAVIOUR.items() if v == "refused"],
)
def test_will_refuse_a_post_for_another_province_with_403_and_change_nothing(
    services, engine, service, method, url
):
    before = snapshot(engine)
    r = _as_officer_of_80(services, service, method, url, PID)
    assert r.status_code == 403, r.text
    assert r.json()["error"]["code"] == "forbidden"
    assert snapshot(engine) == before
    assert ("cb-80", f"{method} {concrete(url)}") in refusals(engine, service)


@pytest.mark.parametrize(
    ("service", "method", "url"),
    [k for k, v in PROVINCE_BEHAVIOUR.items() if v == "hidden"],
)
def test_another_provinces_proposal_is_answered_as_an_unknown_one_and_changes_nothing(
    services, engine, service, method, url
):
    before = snapshot(engine)
    their_id = PATH_VALUES["beneficiary_id"] if "beneficiary_id" in url else PID
    theirs = _as_officer_of_80(services, service, method, url, their_id)
    unknown = _as_officer_of_80(services, service, method, url, "ACL-NEVER-1")
    assert theirs.status_code == unknown.status_code, theirs.text
    assert theirs.status_code in (404, 409)
    assert theirs.json()["error"]["code"] == unknown.json()["error"]["code"]
    assert theirs.json() == json.loads(unknown.text.replace("ACL-NEVER-1", their_id))
    assert snapshot(engine) == before
    mine = requests.get(services[service] + concrete(url), headers=officer_of("74"), timeout=10)
    assert method == "POST" or mine.status_code == 200


def test_a_province_officer_may_submit_for_its_own_province_but_not_another(services, engine):
    url = f"{services['proposals']}/api/v1/events"
    other = samples.submitted("ACL-79-1", province="79")
    r = requests.post(url, json=other, headers=officer_of("74", "80"), timeout=10)
    assert r.status_code == 403
    own = samples.submitted("ACL-80-1", province="80")
    r = requests.post(url, json=own, headers=officer_of("74", "80"), timeout=10)
    assert r.status_code == 202, r.text


def test_a_province_officers_lists_show_only_its_provinces(services):
    base = services["proposals"]
    for event in (samples.submitted("ACL-79-2", province="79"),):
        requests.post(f"{base}/api/v1/events", json=event, timeout=10)
    everyone = requests.get(f"{base}/api/v1/proposals", timeout=10).json()
    assert {p["province"] for p in everyone["items"]} >= {"74", "79"}
    for query in ({}, {"province": "79"}):
        mine = requests.get(
            f"{base}/api/v1/proposals", params=query, headers=officer_of("74"), timeout=10
        ).json()
        assert {p["province"] for p in mine["items"]} <= {"74"}
        assert mine["total"] == len(mine["items"])
    rates = requests.get(
        f"{services['disbursement']}/api/v1/disbursement-rates",
        params={"year": 2016, "region": "south_2016"},
        headers=officer_of("74"),
        timeout=10,
    ).json()
    assert {row["province"] for row in rates["items"]} == {"74"}


def test_a_province_officer_reads_the_reports_of_its_provinces_with_the_regional_average(
    services,
):
    base = services["reporting"]
    query = {"year": 2016, "as_of": "2016-12-31"}
    everyone = requests.get(f"{base}/api/v1/reports/provinces", params=query, timeout=10).json()
    theirs = {row["province"]: row for row in everyone["items"]}
    assert "74" in theirs
    for provinces in (("74",), ("80",)):
        mine = requests.get(
            f"{base}/api/v1/reports/provinces",
            params=query,
            headers=officer_of(*provinces),
            timeout=10,
        )
        assert mine.status_code == 200, mine.text
        rows = mine.json()["items"]
        assert [row["province"] for row in rows] == [p for p in provinces if p in theirs]
        for row in rows:  # the same row as the central office reads, its region's average too
            assert row == theirs[row["province"]]
            assert "regional_average" in row and "level" in row and "expected_rate" in row
    every_level = requests.get(f"{base}/api/v1/warnings", timeout=10).json()
    for province in ("74", "80"):
        mine = requests.get(f"{base}/api/v1/warnings", headers=officer_of(province), timeout=10)
        assert mine.status_code == 200, mine.text
        for key in ("current", "history"):
            own = [row for row in every_level[key] if row["province"] == province]
            assert mine.json()[key] == own
