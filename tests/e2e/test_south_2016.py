"""The 2016 southern-region report, replayed through the real services as processes."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import ExitStack

import pytest

from grantflow import scenario
from grantflow.registry import SERVICES
from tests.e2e.conftest import Pipeline
from tests.support.services import ROOT, ServiceProcess


@pytest.fixture
def running(clean, engine, amqp_uri, database_url, tmp_path):
    env = {
        "AMQP_URI": amqp_uri,
        "DATABASE_URL": database_url,
        "REPORTING_LAG_INTERVAL_SECONDS": "86400",
    }
    with ExitStack() as stack:
        procs = {}
        for name in SERVICES:
            proc = ServiceProcess(name, env).start()
            stack.callback(proc.stop)
            procs[name] = proc
        yield (
            Pipeline(
                procs["proposals"].base,
                procs["disbursement"].base,
                procs["reporting"].base,
                clean,
                engine,
            ),
            procs,
            env,
            tmp_path,
        )


def cli_token(role: str, env: dict[str, str]) -> str:
    """A token as a person gets one: `grantflow token` (signed with the suite's secret)."""
    return subprocess.run(
        [sys.executable, "-m", "grantflow.cli", "token", "--role", role, "--sub", "e2e"],
        env={**os.environ, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_the_report_table_is_reproduced_with_no_dead_letter(running):
    pipeline, procs, env, tmp_path = running
    events = tmp_path / "south-2016.jsonl"
    with events.open("w") as out:
        subprocess.run([sys.executable, "-m", "grantflow.scenario"], stdout=out, check=True)
    published = subprocess.run(
        [sys.executable, "-m", "grantflow.cli", "publish", "--quiet", str(events)],
        env={**procs["proposals"].env, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert published.returncode == 0, published.stderr
    pipeline.settled(timeout=120)
    pipeline.headers = {"Authorization": "Bearer " + cli_token("central_officer", env)}

    dead = pipeline.get("reporting", "/api/v1/dead-letters").json()
    assert dead["total"] == 0, [(d["code"], d["detail"]) for d in dead["items"]]
    evaluation = pipeline.post(
        "reporting", "/api/v1/lag-evaluations", {"as_of": scenario.AS_OF.isoformat()}
    ).json()
    region = pipeline.get(
        "reporting", f"/api/v1/reports/regions/{scenario.REGION}", period="2016-H1"
    ).json()
    rows = scenario.compare(region)
    assert [r for r in rows if not r["matches"]] == []

    lagging = {p["province"] for p in evaluation["provinces"] if p["level"] != "normal"}
    assert set(scenario.LAGGING) <= lagging

    metrics = pipeline.get("reporting", "/metrics").text
    report = pipeline.get(
        "reporting", "/api/v1/reports/provinces", as_of="2016-06-30", source_fund="national"
    ).json()
    for row in report["items"]:
        if row["rate"] is not None:
            line = (
                f'grantflow_disbursement_rate_ratio{{province="{row["province"]}",'
                f'source_fund="national",year="2016"}} {row["rate"]}'
            )
            assert line in metrics, [m for m in metrics.splitlines() if "rate_ratio{" in m][:40]
