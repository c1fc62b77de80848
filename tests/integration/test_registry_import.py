"""`grantflow import` as operators run it, against the real broker and the registry service:
the example spreadsheet applied; the same file again changes nothing; a file with a bad row
publishes nothing and says which rows and why."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.integration.test_registry import registry  # noqa: F401 - the fixture
from tests.support.broker import Broker
from tests.support.services import ROOT
from tests.support.waiting import wait_until

EXAMPLE = ROOT / "contracts/examples/import/registry-74.xlsx"
QUEUE = "grantflow.lifecycle.registry"


def grantflow_import(amqp_uri: str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "grantflow_tools.cli", "import", "--as-of", "2016-06-30", str(path)],
        env={**os.environ, "AMQP_URI": amqp_uri},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _snapshot(h) -> dict[str, list]:
    with h.engine.connect() as conn:
        from sqlalchemy import text

        return {
            t: sorted(map(tuple, conn.execute(text(f"SELECT * FROM registry_{t}"))))
            for t in ("beneficiary", "product", "cluster", "collaborators", "audit")
        }


def test_importing_the_example_twice_applies_it_once(registry, amqp_uri):  # noqa: F811
    done = grantflow_import(amqp_uri, EXAMPLE)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "imported 11 rows as 11 events" in done.stderr
    wait_until(lambda: registry.count("registry_inbox") == 11, 20, "11 events applied")
    first = _snapshot(registry)
    assert [len(first[t]) for t in ("beneficiary", "product", "cluster", "collaborators")] == [
        4,
        2,
        2,
        2,
    ]
    coverage = registry.get("/api/v1/collaborators", as_of="2016-06-30").json()
    assert coverage["with_commune_network"] == 1

    again = grantflow_import(amqp_uri, EXAMPLE)
    assert again.returncode == 0, again.stderr
    duplicates = 'grantflow_events_consumed_total{outcome="duplicate",service="registry"'
    wait_until(
        lambda: (
            registry.metric(
                "grantflow_events_consumed_total", service="registry", outcome="duplicate"
            )
            == 11
        ),
        20,
        f"{duplicates} to reach 11",
    )
    assert _snapshot(registry) == first  # same rows, versions and audit trail


def test_a_file_with_bad_rows_lists_them_and_publishes_nothing(registry, amqp_uri, tmp_path):  # noqa: F811
    bad = tmp_path / "beneficiaries.csv"
    bad.write_text(
        "beneficiary_id,kind,name,province,tax_code\n"
        "MST-3700000001,enterprise,Công ty A,74,3700000001\n"
        "MST-3700000002,enterprise,Công ty B,74,\n"
        "MST-3700000003,cooperative,HTX C,99,3700000003\n",
        encoding="utf-8",
    )
    done = grantflow_import(amqp_uri, bad)
    assert done.returncode == 1
    assert "2 of 3 rows refused; nothing imported" in done.stdout
    assert "beneficiaries, line 3:" in done.stdout
    assert "beneficiaries, line 4: no province has code 99" in done.stdout
    broker = Broker(amqp_uri)
    try:
        assert broker.depth(QUEUE) == 0
    finally:
        broker.close()
    # A good file after it: once its one row is applied, anything published before it
    # would have been too (one queue, in order); only the good row is there.
    good = tmp_path / "good" / "beneficiaries.csv"
    good.parent.mkdir()
    good.write_text(
        bad.read_text(encoding="utf-8").splitlines()[0] + "\n"
        "MST-3700000009,enterprise,Công ty D,74,3700000009\n",
        encoding="utf-8",
    )
    assert grantflow_import(amqp_uri, good).returncode == 0
    wait_until(lambda: registry.count("registry_beneficiary") == 1, 20, "the good row")
    assert registry.count("registry_inbox") == 1
