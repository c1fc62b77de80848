"""The running reporting service answers exactly as contracts/openapi.yaml says.

Real responses of every reporting endpoint (JSON bodies, CSV, error bodies), with proposals,
disbursement and reporting running together on the data of test_reporting.py, are validated
against the document's response schemas with the helpers of test_openapi.py.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import requests
from jsonschema import FormatChecker
from sqlalchemy import Engine

from tests.integration.test_openapi import OPENAPI, check_response, document, error_code
from tests.integration.test_reporting import AS_OF, seed
from tests.support.auth import header
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration

LAG = "/api/v1/lag-evaluations"
PROVINCES = "/api/v1/reports/provinces"
REGION = "/api/v1/reports/regions/{region}"
WARNINGS = "/api/v1/warnings"
DEAD = "/api/v1/dead-letters"
REDRIVE = "/api/v1/dead-letters/{dead_id}/redrive"
AUDIT = "/api/v1/audit"
SHARED = ("/metrics", "/health/live", "/health/ready", "/api/v1/event-log", AUDIT)
METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


def reporting_operations() -> set[tuple[str, str]]:
    """(METHOD, path) of every operation the document says the reporting service serves."""
    return {
        (method.upper(), path)
        for path, item in document()["paths"].items()
        for method, operation in item.items()
        if method in METHODS
        and "reporting" in operation.get("x-served-by", [operation["x-service"]])
    }


class Checked:
    """check_response, remembering which documented operations were checked and how."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.seen: set[tuple[str, str, int]] = set()

    def check(self, path: str, method: str, response: requests.Response) -> Any:
        self.seen.add((method, path, response.status_code))
        return check_response(path, method, response)

    def get(self, path: str, url: str | None = None, **params: Any) -> Any:
        return self.check(path, "GET", requests.get(self.base + (url or path), params, timeout=30))

    def post(self, path: str, url: str | None = None, **kw: Any) -> Any:
        return self.check(path, "POST", requests.post(self.base + (url or path), timeout=30, **kw))

    def refused(self, method: str, path: str, status: int, code: str, **kw: Any) -> None:
        url = kw.pop("url", None) or path
        answer = requests.request(method, self.base + url, timeout=30, **kw)
        assert answer.status_code == status, (method, url, kw, answer.text)
        assert error_code(self.check(path, method, answer)) == code


def csv_rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff"), "CSV without the byte-order mark Excel needs"
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_document_describes_the_reporting_operations_this_test_exercises():
    assert reporting_operations() == {
        ("POST", LAG),
        ("GET", PROVINCES),
        ("GET", REGION),
        ("GET", WARNINGS),
        ("GET", DEAD),
        ("POST", REDRIVE),
        *(("GET", path) for path in SHARED),
    }
    servers = {s["url"] for s in document()["servers"]}
    assert "http://localhost:8004" in servers


def test_every_reporting_endpoint_answers_as_the_openapi_document_says(pipeline):
    from grantflow.contract import Contract

    api = Checked(pipeline.reporting)
    seed(pipeline)

    # --- POST /api/v1/lag-evaluations
    dry = api.post(LAG, json={"as_of": AS_OF, "announce": False})
    assert dry["as_of"] == AS_OF and dry["announced"] == []
    levels = {p["province"]: p["level"] for p in dry["provinces"]}
    assert levels == {"74": "normal", "80": "critical", "92": "critical"}
    first = api.post(LAG, json={"as_of": AS_OF})
    assert {(a["type"], a["subject"]) for a in first["announced"]} >= {
        ("province_lagging", "80:2016:national"),
        ("province_lagging", "92:2016:national"),
        ("proposal_overdue", "R-80"),
    }
    assert api.post(LAG, json={"as_of": AS_OF})["announced"] == []  # nothing twice
    late = api.post(LAG, json={"as_of": "2016-12-31", "announce": True})
    announced = first["announced"] + late["announced"]
    assert ("province_lagging", "74:2016:national") in {
        (a["type"], a["subject"]) for a in late["announced"]
    }
    today = api.post(LAG)  # no body: today
    assert today["as_of"] == date.today().isoformat()
    assert api.post(LAG, json={"as_of": None})["as_of"] == date.today().isoformat()
    for bad in ("2016-13-01", "30/06/2016", "soon"):
        api.refused("POST", LAG, 400, "bad_query", json={"as_of": bad})
    for bad in (-1, 501, "5", 2.5, True):
        api.refused("POST", LAG, 400, "bad_query", json={"reasons_per_province": bad})
    none = api.post(LAG, json={"as_of": AS_OF, "announce": False, "reasons_per_province": 0})
    counted = {p["province"]: p["reasons_by_code"] for p in none["provinces"]}
    assert counted["92"] == {"progress_behind": 1, "tranche_overdue": 1}
    assert {len(p["reasons"]) for p in none["provinces"]} == {0}
    one = api.post(LAG, json={"as_of": AS_OF, "announce": False, "reasons_per_province": 1})
    assert [r["reason"] for r in {p["province"]: p for p in one["provinces"]}["92"]["reasons"]] == [
        "progress_behind"
    ]

    # --- GET /api/v1/reports/provinces, JSON and CSV
    report = api.get(PROVINCES, year=2016, as_of=AS_OF)
    rows = {r["province"]: r for r in report["items"]}
    assert (report["year"], report["source_fund"], report["as_of"]) == (2016, None, AS_OF)
    assert rows["74"]["source_fund"] == "all" and rows["74"]["rate"] == 0.4
    assert rows["74"]["regional_average"] == 0.4  # the Southeast's only province here
    assert rows["80"]["proposals_by_state"] == {"approved": 1}
    national = api.get(PROVINCES, year=2016, as_of=AS_OF, source_fund="national")
    assert {r["source_fund"] for r in national["items"]} == {"national"}
    assert api.get(PROVINCES, year=2016, source_fund="local")["items"] == []
    assert api.get(PROVINCES, year=2016)["as_of"] == "2016-12-31"
    assert api.get(PROVINCES, as_of="2016-03-31")["year"] == 2016
    assert api.get(PROVINCES, year=2016, format="json") == api.get(PROVINCES, year=2016)
    text = api.get(PROVINCES, year=2016, as_of=AS_OF, format="csv")
    table = csv_rows(text)
    assert [r["province"] for r in table] == ["74", "80", "92"]
    assert table[0]["province_name"] == "Bình Dương"
    assert (table[1]["proposals_approved"], table[1]["level"]) == ("1", "critical")
    for params in (
        {},
        {"year": 1999},
        {"year": "x"},
        {"as_of": "2016-02-30"},
        {"year": 2015, "as_of": AS_OF},
        {"year": 2016, "source_fund": "both"},
    ):
        api.refused("GET", PROVINCES, 400, "bad_query", params=params)

    # --- GET /api/v1/reports/regions/{region}, JSON and CSV
    region = api.get(REGION, "/api/v1/reports/regions/south_2016", period="2016-H1")
    assert (region["from"], region["to"], region["provinces"]) == ("2016-01-01", "2016-06-30", 20)
    assert [f["source_fund"] for f in region["funding"]] == ["national", "local", "all"]
    assert [p["province"] for p in region["lagging_provinces"]] == ["80", "92"]
    for period in ("2016", "2016-H2", "2016-Q1", "2016-Q4"):
        answer = api.get(REGION, "/api/v1/reports/regions/south_2016", period=period)
        assert answer["period"] == period
    current = api.get(REGION, "/api/v1/reports/regions/mekong_delta")
    assert current["period"] == str(date.today().year)
    assert current["disbursement"] == {
        "allocated_vnd": 0,
        "disbursed_vnd": 0,
        "rate": None,
        "expected_rate": None,
    }
    text = api.get(REGION, "/api/v1/reports/regions/south_2016", period="2016-H1", format="csv")
    lines = csv_rows(text)
    assert list(lines[0]) == ["section", "item", "value", "compare", "note"]
    assert {"section": "funding", "item": "national"}.items() <= lines[0].items()
    assert ("lagging provinces", "Long An") in {(r["section"], r["item"]) for r in lines}
    for period in ("2016-H3", "1999", "2016-q1", "H1"):
        api.refused(
            "GET",
            REGION,
            400,
            "bad_query",
            url="/api/v1/reports/regions/south_2016",
            params={"period": period},
        )
    api.refused("GET", REGION, 404, "not_found", url="/api/v1/reports/regions/atlantis")

    # --- GET /api/v1/warnings, JSON and CSV
    warnings = api.get(WARNINGS, year=2016)
    assert {(w["province"], w["level"]) for w in warnings["current"]} == {
        ("74", "critical"),
        ("80", "critical"),
        ("92", "critical"),
    }
    history = [(h["province"], h["level"], h["previous_level"]) for h in warnings["history"]]
    assert sorted(history[:2]) == [("80", "critical", "normal"), ("92", "critical", "normal")]
    assert history[2:] == [("74", "critical", "normal")]  # in the order recorded
    assert api.get(WARNINGS) == warnings  # one year of data: all years are 2016
    assert api.get(WARNINGS, year=2015) == {"current": [], "history": []}
    of_80 = api.get(WARNINGS, year=2016, province="80")
    assert of_80["current"] == [w for w in warnings["current"] if w["province"] == "80"]
    assert [h["province"] for h in of_80["history"]] == ["80"]
    api.refused("GET", WARNINGS, 400, "bad_query", params={"province": "8'0"})
    table = csv_rows(api.get(WARNINGS, year=2016, format="csv"))
    assert [(r["province"], r["level"], r["as_of"]) for r in table] == [
        ("74", "critical", "2016-12-31"),
        ("80", "critical", AS_OF),
        ("92", "critical", AS_OF),
    ]
    for year in ("x", "1999", "2101"):
        api.refused("GET", WARNINGS, 400, "bad_query", params={"year": year})

    # --- GET /api/v1/dead-letters, POST /api/v1/dead-letters/{id}/redrive
    pipeline.broker.publish(b"{not json", routing_key="proposal.submitted")
    pipeline.broker.publish(b"\xff\xfe not utf-8", routing_key="proposal.submitted")
    page = wait_until(
        lambda: (body := api.get(DEAD))["total"] >= 2 and body, 20, "two dead letters"
    )
    assert {i["body_encoding"] for i in page["items"]} == {"utf-8", "base64"}
    assert {i["code"] for i in page["items"]} == {"not_json"}
    assert [i["id"] for i in page["items"]] == sorted(
        (i["id"] for i in page["items"]), reverse=True
    )
    one = api.get(DEAD, code="not_json", limit=1, offset=1)
    assert (one["total"], one["limit"], one["offset"], len(one["items"])) == (2, 1, 1, 1)
    assert api.get(DEAD, code="no_such_code") == {"items": [], "total": 0, "limit": 50, "offset": 0}
    for params in ({"limit": 0}, {"limit": 501}, {"offset": -1}, {"offset": 2**63}):
        api.refused("GET", DEAD, 400, "bad_query", params=params)
    plain = next(i for i in page["items"] if i["body_encoding"] == "utf-8")
    url = f"/api/v1/dead-letters/{plain['id']}/redrive"
    redriven = api.post(REDRIVE, url)
    assert redriven["id"] == plain["id"] and redriven["redriven_at"]
    api.refused("POST", REDRIVE, 409, "illegal_transition", url=url)
    api.refused("POST", REDRIVE, 404, "not_found", url="/api/v1/dead-letters/987654/redrive")
    api.refused("POST", REDRIVE, 404, "not_found", url="/api/v1/dead-letters/first/redrive")

    # --- the shared endpoints, as the reporting service serves them
    assert api.get("/health/live") == {"status": "live"}
    assert api.get("/health/ready") == {
        "status": "ready",
        "checks": {"database": True, "broker": True},
    }
    exposition = api.get("/metrics")
    assert "# TYPE grantflow_province_warning_level gauge" in exposition
    log = wait_until(
        lambda: len((body := api.get("/api/v1/event-log"))["events"]) == len(announced) and body,
        15,
        "every announced event to be published",
    )
    # each as the production parser reads it, against the schema of its own type
    contract = Contract(OPENAPI.parent)
    parsed = [contract.parse(json.dumps(e)) for e in log["events"]]
    assert [(e.type, e.subject) for e in parsed] == [(a["type"], a["subject"]) for a in announced]
    assert {e.source for e in parsed} == {"grantflow/reporting"}
    after = api.get("/api/v1/event-log", after=log["next"] - 1)
    assert [e["id"] for e in after["events"]] == [log["events"][-1]["id"]]
    api.refused("GET", "/api/v1/event-log", 400, "bad_query", params={"after": -1})

    # --- GET /api/v1/audit: the changes of level of the evaluations above, by whom
    trail = api.get(AUDIT)
    assert {i["action"] for i in trail["items"]} >= {"level.changed"}
    assert api.get(AUDIT, actor="nobody", since="2016-01-01") == {"items": [], "next": 0}
    api.refused("GET", AUDIT, 400, "bad_query", params={"since": "yesterday"})

    # --- 401 without a token and 403 for a role outside the operation's, on every /api/ one
    for method, path in sorted(reporting_operations()):
        if path.startswith("/api/"):
            url = path.replace("{region}", "south_2016").replace("{dead_id}", "1")
            none = {"headers": {"Authorization": ""}}
            api.refused(method, path, 401, "unauthenticated", url=url, **none)
            officer = header("province_officer", provinces=["80"])
            if path in (PROVINCES, WARNINGS):  # open to them: their provinces' rows only
                answer = requests.get(api.base + url, {"year": 2016}, headers=officer, timeout=30)
                body = api.check(path, method, answer)
                rows = body.get("items", body.get("current"))
                assert rows and {r["province"] for r in rows} == {"80"}, body
                continue
            api.refused(method, path, 403, "forbidden", url=url, headers=officer)

    # every documented reporting operation was checked, with a success and its errors
    assert {(m, p) for m, p, _ in api.seen} == reporting_operations()
    unreachable = {("GET", "/api/v1/event-log", 404)}  # reporting has an outbox
    unreachable |= {("GET", PROVINCES, 403), ("GET", WARNINGS, 403)}  # every role reads them
    documented = {
        (method.upper(), path, int(status))
        for method, path in reporting_operations()
        for status in document()["paths"][path][method.lower()]["responses"]
        if status not in ("500", "503")
    }
    assert documented - api.seen == unreachable


# --- gaps found writing this document; each test turns green with its fix ---------------------


@pytest.fixture
def reporting(clean: Any, amqp_uri: str, database_url: str) -> Iterator[str]:
    """The reporting service alone, on empty tables."""
    from reporting.service import ReportingService
    from tests.support.services import in_process

    with in_process(ReportingService, amqp_uri, database_url) as base:
        yield base


def _a_level_and_its_history(engine: Engine) -> None:
    from reporting.adapters.tables import level, level_history

    evidence = {
        "province": "80",
        "province_name": "Long An",
        "region": "mekong_delta",
        "year": 2016,
        "source_fund": "national",
        "rate": 0.0,
        "expected_rate": 0.4,
        "regional_average": 0.05,
        "as_of": AS_OF,
        "reasons": [],
    }
    key = {"province": "80", "year": 2016, "source_fund": "national", "level": "critical"}
    day = date.fromisoformat(AS_OF).toordinal()
    with engine.begin() as conn:
        conn.execute(level.insert().values(**key, version=1, as_of_day=day, evidence=evidence))
        conn.execute(
            level_history.insert().values(
                **key,
                previous_level="normal",
                as_of_day=day,
                evaluated_at=datetime(2016, 7, 1, 2, tzinfo=UTC),
                evidence=evidence,
            )
        )


def test_the_warning_history_times_are_rfc_3339(reporting, engine):
    _a_level_and_its_history(engine)
    answer = Checked(reporting).get(WARNINGS)
    assert len(answer["history"]) == 1
    assert FormatChecker().conforms(answer["history"][0]["evaluated_at"], "date-time")


def test_the_evidence_of_the_warnings_csv_is_json(reporting, engine):
    _a_level_and_its_history(engine)
    rows = csv_rows(Checked(reporting).get(WARNINGS, format="csv"))
    assert len(rows) == 1
    assert json.loads(rows[0]["evidence"])["province_name"] == "Long An"


@pytest.mark.parametrize("body", [[AS_OF], AS_OF, 2016])
def test_a_lag_evaluation_body_that_is_not_an_object_is_a_bad_query(reporting, body):
    Checked(reporting).refused("POST", LAG, 400, "bad_query", json=body)


@pytest.mark.parametrize(
    ("method", "path", "kw"),
    [
        ("POST", LAG, {"json": {"as_of": "0001-01-01"}}),
        ("GET", PROVINCES, {"params": {"as_of": "0001-01-01"}}),
    ],
)
def test_an_as_of_out_of_the_years_served_is_a_bad_query(reporting, method, path, kw):
    Checked(reporting).refused(method, path, 400, "bad_query", **kw)
