"""The running proposals service answers exactly as contracts/openapi.yaml says.

(a) Real responses of every endpoint, for a proposal taken through its whole lifecycle, are
validated against the response schemas of the document (OpenAPI 3.1 schemas are JSON Schema
2020-12, resolved here with `referencing`). (b) schemathesis generates requests for the GET
endpoints from the document and checks the service's answers against it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
import yaml
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.support import events
from tests.support.auth import openapi_schema

pytestmark = pytest.mark.integration

OPENAPI = Path(__file__).resolve().parents[2] / "contracts" / "openapi.yaml"
CLOUDEVENTS = "application/cloudevents+json"


# --- a small resolver: the document's response schemas as JSON Schema 2020-12 validators ----


@cache
def document() -> dict[str, Any]:
    return yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))


@cache
def registry() -> Registry:
    resource = Resource.from_contents(document(), default_specification=DRAFT202012)
    return Registry().with_resource(OPENAPI.as_uri(), resource)


def pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def documented_response(path: str, method: str, status: int) -> tuple[dict[str, Any], list[str]]:
    """The response object the document gives for this status, with its JSON pointer."""
    responses = document()["paths"][path][method.lower()]["responses"]
    assert str(status) in responses, f"{method} {path} answered {status}, not documented"
    where = ["paths", path, method.lower(), "responses", str(status)]
    response = responses[str(status)]
    if "$ref" in response:
        where = response["$ref"].removeprefix("#/").split("/")
        response = document()["components"]["responses"][where[-1]]
    return response, where


def check_response(path: str, method: str, response: requests.Response) -> Any:
    """Fail unless the status, media type and body are what the document says; the body."""
    documented, where = documented_response(path, method, response.status_code)
    media_type = response.headers["Content-Type"].split(";")[0].strip()
    assert media_type in documented["content"], (
        f"{method} {path} {response.status_code} answered {media_type}, "
        f"documented {sorted(documented['content'])}"
    )
    if media_type != "application/json":
        return response.text
    body = response.json()
    ref = OPENAPI.as_uri() + "#/" + pointer(*where, "content", media_type, "schema")
    validator = Draft202012Validator(
        {"$ref": ref}, registry=registry(), format_checker=FormatChecker()
    )
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)
    ]
    assert not errors, f"{method} {path} {response.status_code}: {errors}"
    return body


def post_raw(base: str, body: bytes | str, content_type: str = CLOUDEVENTS) -> requests.Response:
    return requests.post(
        f"{base}/api/v1/events", data=body, headers={"Content-Type": content_type}, timeout=10
    )


def error_code(body: dict[str, Any]) -> str:
    return body["error"]["code"]


def test_the_resolver_refuses_a_body_that_breaks_the_document():
    """The checks below can fail: a wrong body is caught, as is an undocumented status."""
    wrong = requests.Response()
    wrong.status_code = 200
    wrong.headers["Content-Type"] = "application/json"
    wrong._content = json.dumps({"items": [], "total": "0", "limit": 50, "offset": 0}).encode()
    with pytest.raises(AssertionError, match="total"):
        check_response("/api/v1/proposals", "GET", wrong)
    wrong.status_code = 418
    with pytest.raises(AssertionError, match="not documented"):
        check_response("/api/v1/proposals", "GET", wrong)


# --- (a) real responses of every endpoint -------------------------------------------------------


def test_every_endpoint_answers_as_the_openapi_document_says(proposals):
    base = proposals.base
    lifecycle = events.full_lifecycle("OA-1")

    # 202 applied, for each of the seven events of the lifecycle
    for event in lifecycle:
        body = check_response("/api/v1/events", "POST", proposals.post(event))
        assert body == {"id": event["id"], "source": event["source"], "outcome": "applied"}

    # 202 duplicate: the same (source, id) again, also as plain application/json
    again = post_raw(base, json.dumps(lifecycle[2]), "application/json")
    assert check_response("/api/v1/events", "POST", again)["outcome"] == "duplicate"

    # the list, unfiltered and filtered
    page = check_response("/api/v1/proposals", "GET", proposals.get("/api/v1/proposals"))
    assert page["total"] == 1 and [p["proposal_id"] for p in page["items"]] == ["OA-1"]
    assert (page["limit"], page["offset"]) == (50, 0)
    assert page["items"][0]["state"] == "settled"
    assert page["items"][0]["contract_vnd"] == 150_000_000
    filtered = proposals.get(
        "/api/v1/proposals",
        province="74",
        year=2016,
        source_fund="national",
        state="settled",
        activity="machinery",
        limit=1,
        offset=0,
    )
    assert check_response("/api/v1/proposals", "GET", filtered)["total"] == 1
    empty = proposals.get("/api/v1/proposals", state="cancelled", offset=5)
    assert check_response("/api/v1/proposals", "GET", empty) == {
        "items": [],
        "total": 0,
        "limit": 50,
        "offset": 5,
    }

    # 400 bad_query
    for params in ({"limit": 0}, {"limit": "many"}, {"offset": -1}, {"year": 1999}):
        bad = proposals.get("/api/v1/proposals", **params)
        assert bad.status_code == 400, params
        assert error_code(check_response("/api/v1/proposals", "GET", bad)) == "bad_query"

    # the detail, with its history
    detail_path = "/api/v1/proposals/{proposal_id}"
    detail = check_response(detail_path, "GET", proposals.get("/api/v1/proposals/OA-1"))
    assert detail["state"] == "settled" and detail["version"] == 7
    assert detail["settled_vnd"] == 148_500_000
    assert detail["planned_start"] == "2016-04-15"
    assert [h["version"] for h in detail["history"]] == list(range(1, 8))
    assert [h["event_id"] for h in detail["history"]] == [e["id"] for e in lifecycle]
    assert detail["history"][0]["state_before"] is None
    assert detail["history"][-1]["state_after"] == "settled"

    # 404 not_found
    missing = proposals.get("/api/v1/proposals/OA-404")
    assert missing.status_code == 404
    assert error_code(check_response(detail_path, "GET", missing)) == "not_found"

    # 409: illegal_transition (settled is terminal), unknown_proposal (early)
    illegal = proposals.post(events.cancelled("OA-1"))
    assert illegal.status_code == 409
    assert error_code(check_response("/api/v1/events", "POST", illegal)) == "illegal_transition"
    early = proposals.post(events.appraised("OA-2"))
    assert early.status_code == 409
    assert error_code(check_response("/api/v1/events", "POST", early)) == "unknown_proposal"

    # 422: amount_not_integer, schema_violation, unknown_province
    floating = json.dumps(events.approved("OA-1")).replace("150000000", "150000000.0")
    refused = post_raw(base, floating)
    assert refused.status_code == 422
    assert error_code(check_response("/api/v1/events", "POST", refused)) == "amount_not_integer"
    violation = proposals.post(events.submitted("OA-3", title=""))
    assert violation.status_code == 422
    assert error_code(check_response("/api/v1/events", "POST", violation)) == "schema_violation"
    nowhere = proposals.post(events.submitted("OA-4", province="99"))
    assert nowhere.status_code == 422
    assert error_code(check_response("/api/v1/events", "POST", nowhere)) == "unknown_province"

    # 400: not_json, not_cloudevent, unknown_type (a lifecycle type this service does not take)
    cases = {
        "not_json": post_raw(base, b"{oops"),
        "not_cloudevent": post_raw(base, b"[]"),
        "unknown_type": proposals.post(
            events.event(
                "plan.approved",
                {"province": "74", "year": 2016, "source_fund": "national", "amount_vnd": 1},
            )
        ),
    }
    for code, answer in cases.items():
        assert answer.status_code == 400, code
        assert error_code(check_response("/api/v1/events", "POST", answer)) == code

    # 415 unsupported_media_type
    plain = post_raw(base, json.dumps(events.submitted("OA-5")), "text/plain")
    assert plain.status_code == 415
    assert error_code(check_response("/api/v1/events", "POST", plain)) == "unsupported_media_type"

    # nothing refused was applied
    assert proposals.state_of("OA-2") is None and proposals.state_of("OA-5") is None
    assert (
        check_response("/api/v1/proposals", "GET", proposals.get("/api/v1/proposals"))["total"] == 1
    )

    # health and metrics
    live = check_response("/health/live", "GET", proposals.get("/health/live"))
    assert live == {"status": "live"}
    ready = check_response("/health/ready", "GET", proposals.get("/health/ready"))
    assert ready == {"status": "ready", "checks": {"database": True, "broker": True}}
    metrics = proposals.get("/metrics")
    assert metrics.headers["Content-Type"].startswith("text/plain")
    exposition = check_response("/metrics", "GET", metrics)
    assert "# TYPE grantflow_entrypoint_calls_total counter" in exposition


def test_a_proposal_id_is_matched_whole_and_literally(proposals):
    """Ids that look like other things are still just ids: 404 in the error body, never 500."""
    detail_path = "/api/v1/proposals/{proposal_id}"
    for pid in ("OA-x.y", "a:b", "0", "x" * 64, "Đ-1"):
        answer = proposals.get(f"/api/v1/proposals/{quote(pid, safe='')}")
        assert answer.status_code == 404, pid
        assert error_code(check_response(detail_path, "GET", answer)) == "not_found"


# --- gaps schemathesis and review found, now closed ---------------------------------------


def test_an_offset_beyond_what_the_database_can_take_is_a_bad_query(proposals):
    answer = proposals.get("/api/v1/proposals", offset=2**63)
    assert answer.status_code == 400
    assert error_code(check_response("/api/v1/proposals", "GET", answer)) == "bad_query"


def test_a_nul_character_in_a_filter_or_an_id_is_refused_not_a_server_error(proposals):
    listed = proposals.get("/api/v1/proposals", activity="\x00")
    assert listed.status_code == 400
    assert error_code(check_response("/api/v1/proposals", "GET", listed)) == "bad_query"
    one = proposals.get("/api/v1/proposals/a%00b")
    assert one.status_code == 404
    assert error_code(check_response("/api/v1/proposals/{proposal_id}", "GET", one)) == (
        "not_found"
    )


def test_a_proposal_whose_id_has_a_slash_can_be_read(proposals):
    assert proposals.post(events.submitted("OA/2016/1")).status_code == 202
    answer = proposals.get("/api/v1/proposals/OA/2016/1")
    assert answer.status_code == 200
    assert answer.json()["proposal_id"] == "OA/2016/1"


# --- (b) schemathesis against the live service, GET endpoints ----------------------------------


def test_schemathesis_finds_no_server_error_and_no_undocumented_answer_on_the_get_endpoints(
    proposals,
):
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    for event in [*events.full_lifecycle("OA-1"), events.submitted("OA-2")]:
        assert proposals.post(event).status_code == 202

    schema = openapi_schema(OPENAPI)  # with the default token, not one schemathesis invents
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    operations = [
        ("GET", "/api/v1/proposals"),
        ("GET", "/api/v1/proposals/{proposal_id}"),
        ("GET", "/health/live"),
        ("GET", "/health/ready"),
        ("GET", "/metrics"),
        ("GET", "/api/v1/event-log"),
        ("GET", "/api/v1/audit"),
    ]
    documented_gets = {
        ("GET", path)
        for path, item in document()["paths"].items()
        if "get" in item
        and "proposals" in item["get"].get("x-served-by", [item["get"]["x-service"]])
    }
    assert set(operations) == documented_gets

    calls: dict[str, int] = {}
    statuses: set[tuple[str, int]] = set()

    def explore(path: str, method: str, examples: int) -> None:
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=schema[path][method].as_strategy())
        def run(case: Any) -> None:
            response = case.call_and_validate(base_url=proposals.base, checks=checks)
            calls[path] = calls.get(path, 0) + 1
            statuses.add((path, response.status_code))

        run()

    for method, path in operations:
        explore(path, method, 30 if path.startswith("/api") else 3)

    assert all(calls.get(path, 0) >= 1 for _, path in operations), calls
    assert ("/api/v1/proposals", 200) in statuses
    assert ("/api/v1/proposals/{proposal_id}", 404) in statuses


def test_an_unknown_path_or_method_gets_the_contract_error_body(proposals):
    missing = proposals.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    wrong = requests.delete(proposals.base + "/api/v1/proposals", timeout=10)
    assert wrong.status_code == 405
    assert wrong.json()["error"]["code"] == "method_not_allowed"
