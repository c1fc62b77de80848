"""The registry service against the real broker and database: each lifecycle event type over
AMQP and HTTP, its refusals dead-lettered, its audit trail, and its reads."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from grantflow.contract import contract
from tests.integration.conftest import Harness
from tests.support import registry as reg
from tests.support.broker import Broker
from tests.support.services import in_process
from tests.support.waiting import wait_until


@pytest.fixture
def registry(clean: Broker, engine, amqp_uri: str, database_url: str) -> Iterator[Harness]:
    from registry.service import RegistryService

    captured = clean.capture()
    with in_process(RegistryService, amqp_uri, database_url) as base:
        yield Harness(base, clean, engine, captured)


def _beneficiary(h: Harness, bid: str) -> dict | None:
    r = h.get(f"/api/v1/beneficiaries/{bid}")
    return r.json() if r.status_code == 200 else None


def test_every_registry_event_type_over_amqp_is_applied_and_announced(registry):
    registry.broker.publish_all(
        [
            reg.beneficiary("MST-3700123456", "Cơ sở dệt may Đông Hòa"),
            reg.beneficiary("LN-74-TBH", "Làng nghề sơn mài Tương Bình Hiệp", "craft_village"),
            reg.village_recognised("LN-74-TBH"),
            reg.product("SP-1", "MST-3700123456", "province"),
            reg.cluster("CCN-74-1", "75.5", occupancy_percent=82),
            reg.collaborators("74", "commune", 91, "2015-09-01"),
        ]
    )
    village = wait_until(
        lambda: (found := _beneficiary(registry, "LN-74-TBH")) and found["recognition"] and found,
        15,
        "the craft village recognised",
    )
    assert village["recognition"] == {"decision_no": "1234/QĐ-UBND", "recognised_on": "2016-05-10"}
    wait_until(lambda: registry.get("/api/v1/products").json()["items"], 15, "the product")
    clusters = wait_until(
        lambda: registry.get("/api/v1/clusters", province="74").json()["items"], 15, "a cluster"
    )
    assert clusters[0]["area_ha"] == "75.5" and clusters[0]["occupancy_percent"] == 82

    got: list = []
    wait_until(
        lambda: got.extend(registry.broker.get_all(registry.captured)) or len(got) >= 6,
        15,
        "six domain events",
    )
    announced = [contract().parse(m.body) for m in got]  # each follows its schema
    assert sorted(e.type for e in announced) == sorted(
        [
            "beneficiary_registered",
            "beneficiary_registered",
            "craft_village_recognised",
            "product_awarded",
            "cluster_registered",
            "collaborators_reported",
        ]
    )
    assert all(e.source == "grantflow/registry" for e in announced)
    assert "representative" not in got[0].body.decode()


def test_every_registry_event_type_over_http_answers_202_and_a_repeat_is_a_duplicate(registry):
    posted = [
        reg.beneficiary("MST-0101010101", "Hợp tác xã Mây tre đan Phú Vinh", "cooperative"),
        reg.beneficiary("LN-74-X", "Làng nghề gốm Lái Thiêu", "craft_village"),
        reg.village_recognised("LN-74-X", "2015-01-20"),
        reg.product("SP-2", "MST-0101010101", "national", 2016),
        reg.cluster("CCN-74-2", "40"),
        reg.collaborators("74", "district", 9, "2014-01-01"),
    ]
    for event in posted:
        r = registry.post(event)
        assert (r.status_code, r.json()["outcome"]) == (202, "applied"), r.text
    again = registry.post(posted[0])
    assert (again.status_code, again.json()["outcome"]) == (202, "duplicate")
    assert registry.count("registry_beneficiary") == 2
    products = registry.get("/api/v1/products", level="national", year=2016).json()["items"]
    assert [p["product_id"] for p in products] == ["SP-2"]
    assert registry.get("/api/v1/products", level="district").json()["items"] == []


def test_refused_registry_events_are_dead_lettered_with_their_code_and_audited(registry):
    registry.post(reg.beneficiary("MST-3700000001", "Doanh nghiệp A"))
    taken = reg.beneficiary("MST-OTHER", "Doanh nghiệp B", tax_code="3700000001")
    registry.broker.publish(taken)
    wrong = reg.cluster("CCN-X", "12.345")  # three decimals: a schema violation
    registry.broker.publish(wrong)
    dead = registry.dead_letters(2)
    codes = {m.headers["x-error-code"] for m in dead}
    assert codes == {"tax_code_taken", "schema_violation"}
    r = registry.post(reg.village_recognised("MST-3700000001"))
    assert (r.status_code, r.json()["error"]["code"]) == (422, "not_a_craft_village")
    early = registry.post(reg.product("SP-9", "NOBODY", "district"))
    assert (early.status_code, early.json()["error"]["code"]) == (409, "unknown_beneficiary")

    trail = registry.get("/api/v1/audit").json()["items"]
    accepted = [e for e in trail if e["outcome"] == "accepted"]
    assert [e["action"] for e in accepted] == ["beneficiary.registered"]
    assert accepted[0]["after"]["tax_code"] == "3700000001"
    assert {e["code"] for e in trail if e["outcome"] == "refused"} >= {"tax_code_taken"}


def test_search_finds_names_typed_without_diacritics_and_by_tax_code(registry):
    for event in [
        reg.beneficiary("MST-3700111111", "Cơ sở dệt may Đông Hòa", "enterprise"),
        reg.beneficiary("HKD-74-1", "Cơ sở đan lát Định Hòa", "household_business"),
        reg.beneficiary("MST-3700222222", "Công ty Gốm sứ Minh Long", "enterprise"),
    ]:
        assert registry.post(event).status_code == 202

    def names(**query: str) -> list[str]:
        return [b["name"] for b in registry.get("/api/v1/beneficiaries", **query).json()["items"]]

    assert names(q="co so det may") == ["Cơ sở dệt may Đông Hòa"]
    assert names(q="CƠ SỞ dệt") == ["Cơ sở dệt may Đông Hòa"]
    assert names(q="dinh hoa") == ["Cơ sở đan lát Định Hòa"]  # đ is d
    assert names(q="dong hoa may") == ["Cơ sở dệt may Đông Hòa"]  # every word, any order
    # in the order of the folded name: "co so dan lat ..." before "co so det may ..."
    assert names(q="co so") == ["Cơ sở đan lát Định Hòa", "Cơ sở dệt may Đông Hòa"]
    assert names(tax_code="3700222222") == ["Công ty Gốm sứ Minh Long"]
    assert names(q="100%_") == []
    assert names(kind="household_business") == ["Cơ sở đan lát Định Hòa"]


def test_collaborator_coverage_counts_the_centres_with_a_network_on_a_day(registry):
    for event in [
        reg.collaborators("74", "district", 9, "2014-01-01"),
        reg.collaborators("74", "commune", 91, "2015-09-01"),
        reg.collaborators("89", "district", 11, "2015-03-01"),
        reg.collaborators("80", "district", 5, "2016-09-01"),  # not yet on 30/06/2016
        reg.collaborators("72", "district", 0, "2015-01-01"),  # no network
    ]:
        assert registry.post(event).status_code == 202
    body = registry.get("/api/v1/collaborators", region="south_2016", as_of="2016-06-30").json()
    assert (body["with_network"], body["with_commune_network"], body["of"]) == (2, 1, 20)
    by = {c["province"]: c for c in body["centres"]}
    assert by["89"]["district"] == {"count": 11, "since": "2015-03-01"}
    assert by["74"]["commune"]["count"] == 91
    later = registry.get("/api/v1/collaborators", as_of="2016-12-31").json()
    assert later["with_network"] == 3


def test_every_registry_endpoint_answers_as_the_openapi_document_says(registry):
    from tests.integration.test_openapi import check_response

    village = reg.beneficiary("LN-74-Y", "Làng nghề mộc Tân Uyên", "craft_village")
    for event in [
        reg.beneficiary("MST-3700333333", "Cơ sở dệt may Đông Hòa"),
        village,
        reg.village_recognised("LN-74-Y"),
        reg.product("SP-3", "MST-3700333333", "region", 2016),
        reg.cluster("CCN-74-3", "0.05", status="planned"),
        reg.collaborators("74", "commune", 91, "2015-09-01"),
    ]:
        check_response("/api/v1/events", "POST", registry.post(event))
    check_response("/api/v1/events", "POST", registry.post(village))  # duplicate
    check_response("/api/v1/events", "POST", registry.post(reg.product("P", "NOBODY", "region")))
    reads = [
        ("/api/v1/beneficiaries", {"q": "det may"}),
        ("/api/v1/beneficiaries", {"limit": 0}),
        ("/api/v1/beneficiaries", {"kind": "nobody"}),
        ("/api/v1/beneficiaries/{beneficiary_id}", "MST-3700333333"),
        ("/api/v1/beneficiaries/{beneficiary_id}", "LN-74-Y"),
        ("/api/v1/beneficiaries/{beneficiary_id}", "NOBODY"),
        ("/api/v1/products", {"level": "region", "year": 2016}),
        ("/api/v1/products", {"level": "galaxy"}),
        ("/api/v1/clusters", {"province": "74"}),
        ("/api/v1/clusters", {"status": "ruined"}),
        ("/api/v1/collaborators", {"as_of": "2016-06-30"}),
        ("/api/v1/collaborators", {"region": "atlantis"}),
    ]
    statuses = []
    for path, query in reads:
        if isinstance(query, str):
            response = registry.get(path.replace("{beneficiary_id}", query))
        else:
            response = registry.get(path, **query)
        check_response(path, "GET", response)
        statuses.append(response.status_code)
    assert statuses == [200, 400, 400, 200, 200, 404, 200, 400, 200, 400, 200, 400]
    clusters = registry.get("/api/v1/clusters").json()
    assert (clusters["items"][0]["area_ha"], clusters["total_area_ha"]) == ("0.05", "0.05")


def test_the_open_data_files_answer_as_the_openapi_document_says(registry):
    from tests.integration.test_openapi import check_response

    for name in ("datapackage.json", "proposals.csv", "iati-activities.xml", "secrets.txt"):
        response = registry.get(f"/open-data/{name}")
        check_response("/open-data/{name}", "GET", response)
    assert response.status_code == 404
