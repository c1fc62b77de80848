"""The 2016 southern-region report, replayed through the real services as processes."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import ExitStack

import pytest

from grantflow_tools import scenario
from grantflow_tools.registry import SERVICES
from tests.e2e.conftest import Pipeline
from tests.support.services import ROOT, ServiceProcess

RECIPIENTS = ROOT / "services/notifications/recipients.example.yaml"


@pytest.fixture(params=["postgresql", "sqlite"])
def running(request, clean, engine, amqp_uri, database_url, tmp_path):
    """Every service as a real process; emails to a real SMTP server on loopback.

    Once on PostgreSQL, as in production, and once on the SQLite default, as `make demo` runs.
    """
    from aiosmtpd.controller import Controller

    from grantflow.db import make_engine
    from grantflow_tools.migrate import upgrade
    from tests.integration.conftest import SmtpSink
    from tests.support.services import free_port

    if request.param == "sqlite":
        database_url = f"sqlite:///{tmp_path / 'grantflow.db'}"
        for entry in SERVICES.values():
            upgrade(entry, database_url)
        engine = make_engine(database_url)
    sink = SmtpSink()
    smtp = Controller(sink, hostname="127.0.0.1", port=free_port())
    smtp.start()
    env = {
        "AMQP_URI": amqp_uri,
        "DATABASE_URL": database_url,
        "REPORTING_LAG_INTERVAL_SECONDS": "86400",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "RECIPIENTS_FILE": str(RECIPIENTS),
        "GROUP_WAIT_SECONDS": "1",
        "FLUSH_INTERVAL_SECONDS": "0.2",
        # A payment may come before the contract's commitment reaches disbursement; on a
        # loaded machine that takes longer than the suite's 4 s (the default is 10 minutes).
        "INGEST_RETRY_WINDOW_SECONDS": "120",
    }
    with ExitStack() as stack:
        stack.callback(smtp.stop)
        procs = {}
        for name in SERVICES:
            proc = ServiceProcess(name, env).start()
            stack.callback(proc.stop)
            procs[name] = proc
        pipeline = Pipeline(
            procs["proposals"].base,
            procs["disbursement"].base,
            procs["reporting"].base,
            clean,
            engine,
        )
        yield pipeline, procs, env, tmp_path, sink


def cli_token(role: str, env: dict[str, str]) -> str:
    """A token as a person gets one: `grantflow token` (signed with the suite's secret)."""
    return subprocess.run(
        [sys.executable, "-m", "grantflow_tools.cli", "token", "--role", role, "--sub", "e2e"],
        env={**os.environ, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_the_report_table_is_reproduced_with_no_dead_letter(running):
    pipeline, procs, env, tmp_path, sink = running
    events = tmp_path / "south-2016.jsonl"
    with events.open("w") as out:
        subprocess.run([sys.executable, "-m", "grantflow_tools.scenario"], stdout=out, check=True)
    published = subprocess.run(
        [sys.executable, "-m", "grantflow_tools.cli", "publish", "--quiet", str(events)],
        env={**procs["proposals"].env, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert published.returncode == 0, published.stderr
    pipeline.quiet(timeout=120)
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
    _collaborator_figures_come_from_the_registry(procs["registry"].base, pipeline.headers)

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

    # Each lagging province's finance recipients got exactly one email about it.
    emails = _settled_deliveries(procs["notifications"].base, pipeline.headers, sink)
    per_pair: dict[tuple[str, str], int] = {}
    for d in emails:
        per_pair[(d["recipient_email"], d["group"])] = (
            per_pair.get((d["recipient_email"], d["group"]), 0) + 1
        )
    assert set(per_pair.values()) == {1}, per_pair
    for code in lagging:  # the ministry's finance desk follows every province
        assert per_pair.get(("khtc@example.com", code)) == 1, code
    assert per_pair.get(("lan.nguyen@example.com", "80")) == 1  # Long An's finance officer
    assert len(sink.messages) == len(emails)


def _settled_deliveries(base, headers, sink, timeout=60):
    """Every email sent, once nothing is pending and the SMTP server saw them all."""
    import requests

    from tests.support.waiting import wait_until

    def sent():
        body = requests.get(
            f"{base}/api/v1/deliveries", params={"limit": 500}, headers=headers, timeout=10
        ).json()
        items = body["items"]
        if body["total"] == 0 or any(d["status"] != "sent" for d in items):
            return None
        return items if len(sink.messages) == len(items) else None

    first = wait_until(sent, timeout, "every alert email to be sent")
    again = wait_until(sent, timeout, "the emails to stay settled")  # no late duplicates
    assert len(again) == len(first)
    return again


def _collaborator_figures_come_from_the_registry(base, headers):
    """The report's 6/20 and 2/20, computed by the registry from the centres' reports."""
    import requests

    from grantflow_tools.scenario.registry import compare_collaborators
    from tests.support.waiting import wait_until

    def coverage():
        return requests.get(
            f"{base}/api/v1/collaborators",
            params={"region": scenario.REGION, "as_of": scenario.AS_OF.isoformat()},
            headers=headers,
            timeout=10,
        ).json()

    wait_until(lambda: coverage()["with_network"] == 6, 30, "six centres with a network")
    rows = compare_collaborators(coverage())
    assert [(r["report"], r["grantflow"], r["matches"]) for r in rows] == [
        ("6/20", "6/20", True),
        ("2/20", "2/20", True),
    ]
