"""Against the running services: every registered service is started as `grantflow run`
(the image's command) on the session's broker and database; their live /metrics must export
the catalogued families the dashboard and the rules name; then a real Prometheus server
(Debian's package) scrapes them with the project's scrape config and alert rules, evaluates
every rule and every dashboard query, and sees GrantflowServiceDown go pending when a service
stops answering."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from tests.deploy.catalogue import expected_from, exporters, family, selectors
from tests.deploy.test_dashboard import queries
from tests.deploy.test_dockerfile import healthcheck_code
from tests.deploy.test_prometheus_rules import RULES, alerts
from tests.deploy.tools import ROOT, tool
from tests.support.services import ServiceProcess, free_port
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration

SCRAPE_CONFIG = ROOT / "monitoring" / "prometheus" / "prometheus.yml"


@pytest.fixture(scope="module")
def running(database_url: str, amqp_uri: str) -> Iterator[dict[str, ServiceProcess]]:
    from grantflow_tools.registry import SERVICES

    env = {"AMQP_URI": amqp_uri, "DATABASE_URL": database_url, "LOG_FORMAT": "text"}
    started: dict[str, ServiceProcess] = {}
    try:
        for name in SERVICES:
            started[name] = ServiceProcess(name, env).start()
        yield started
    finally:
        for process in started.values():
            process.stop()


def exported_families(process: ServiceProcess) -> set[str]:
    body = requests.get(f"{process.base}/metrics", timeout=5).text
    return set(re.findall(r"^# TYPE (\S+) ", body, flags=re.M)) | {
        name + "_total"
        for name, kind in re.findall(r"^# TYPE (\S+) (\S+)", body, flags=re.M)
        if kind == "counter" and not name.endswith("_total")
    }


def test_live_metrics_export_every_catalogued_family(running: dict[str, ServiceProcess]) -> None:
    for name, process in running.items():
        missing = set(expected_from(name)) - exported_families(process)
        assert not missing, f"{name}'s /metrics lacks {sorted(missing)}"


def test_dashboard_and_rules_name_metrics_of_a_live_scrape(
    running: dict[str, ServiceProcess],
) -> None:
    live = {name: exported_families(process) for name, process in running.items()}
    expressions = [expr for _, expr in queries()] + [rule["expr"] for rule in alerts()]
    checked = set()
    for expr in expressions:
        for selector in selectors(expr):
            name = family(selector)
            assert name is not None, selector
            for service in exporters(name) & live.keys():
                assert name in live[service], f"{service} does not export {name}"
                checked.add(name)
    assert "grantflow_entrypoint_calls_total" in checked


def test_the_image_health_check_probes_the_services(running: dict[str, ServiceProcess]) -> None:
    """The Dockerfile's HEALTHCHECK program, run against the live services, then a dead port."""
    from grantflow_tools.registry import SERVICES

    live_port = str(next(iter(running.values())).port)
    ports = {
        f"{name.upper()}_PORT": str(running[name].port) if name in running else live_port
        for name in SERVICES  # every service the probe knows (any may run on this machine)
    }
    probe = [sys.executable, "-c", healthcheck_code()]
    healthy = subprocess.run(probe, env={**os.environ, **ports}, capture_output=True, timeout=30)
    assert healthy.returncode == 0, healthy.stderr.decode()
    dead = {**ports, "PROPOSALS_PORT": str(free_port())}
    down = subprocess.run(probe, env={**os.environ, **dead}, capture_output=True, timeout=30)
    assert down.returncode != 0, "the health check passed with a service down"


class Prometheus:
    """A real Prometheus server on loopback, scraping the given jobs with grantflow's rules."""

    def __init__(self, jobs: dict[str, list[str]], workdir: Path) -> None:
        config = yaml.safe_load(SCRAPE_CONFIG.read_text(encoding="utf-8"))
        config["global"] = {"scrape_interval": "1s", "evaluation_interval": "1s"}
        config["rule_files"] = [str(RULES)]
        scrape = []
        for job in config["scrape_configs"]:
            if job["job_name"] in jobs:
                job["static_configs"] = [{"targets": jobs[job["job_name"]]}]
                scrape.append(job)
        assert {job["job_name"] for job in scrape} == set(jobs), "jobs not in prometheus.yml"
        config["scrape_configs"] = scrape
        (workdir / "prometheus.yml").write_text(yaml.safe_dump(config))
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "prometheus.log"
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [
                    tool("prometheus"),
                    f"--config.file={workdir / 'prometheus.yml'}",
                    f"--storage.tsdb.path={workdir / 'data'}",
                    f"--web.listen-address=127.0.0.1:{self.port}",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until(lambda: self.proc.poll() is not None or self._ready(), 30, "Prometheus")
        assert self.proc.poll() is None, self.log.read_text(errors="replace")

    def _ready(self) -> bool:
        try:
            return requests.get(f"{self.base}/-/ready", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def api(self, path: str, **params: Any) -> Any:
        body = requests.get(f"{self.base}/api/v1/{path}", params=params, timeout=5).json()
        assert body["status"] == "success", body
        return body["data"]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def test_prometheus_scrapes_the_services_and_evaluates_the_rules(
    running: dict[str, ServiceProcess], database_url: str, amqp_uri: str, tmp_path: Path
) -> None:
    # One more proposals process, to stop while Prometheus watches.
    doomed = ServiceProcess(
        "proposals", {"AMQP_URI": amqp_uri, "DATABASE_URL": database_url, "LOG_FORMAT": "text"}
    ).start()
    jobs = {f"grantflow-{name}": [f"127.0.0.1:{p.port}"] for name, p in running.items()}
    doomed_target = f"127.0.0.1:{doomed.port}"
    jobs["grantflow-proposals"].append(doomed_target)
    prometheus = Prometheus(jobs, tmp_path)
    try:
        expected_targets = sum(len(targets) for targets in jobs.values())

        def all_up() -> bool:
            targets = prometheus.api("targets")["activeTargets"]
            return len(targets) == expected_targets and all(t["health"] == "up" for t in targets)

        wait_until(all_up, 30, "every target up in Prometheus")
        up = prometheus.api("query", query="up")["result"]
        assert {r["metric"]["job"] for r in up} == set(jobs)
        assert all(r["value"][1] == "1" for r in up)

        def evaluated() -> list[dict[str, Any]]:
            rules = [r for g in prometheus.api("rules")["groups"] for r in g["rules"]]
            done = [r for r in rules if not r["lastEvaluation"].startswith("0001-")]
            return rules if len(done) == len(rules) == len(alerts()) else []

        rules = wait_until(evaluated, 20, "every rule evaluated")
        assert [(r["name"], r["health"], r.get("lastError", "")) for r in rules] == [
            (r["name"], "ok", "") for r in rules
        ]
        for title, expr in queries():
            prometheus.api("query", query=expr)  # status success, or the assertion says why
            assert title

        doomed.stop()

        def service_down_pending() -> bool:
            return any(
                a["labels"]["alertname"] == "GrantflowServiceDown"
                and a["labels"]["instance"] == doomed_target
                and a["state"] == "pending"
                for a in prometheus.api("alerts")["alerts"]
            )

        wait_until(service_down_pending, 30, "GrantflowServiceDown pending for the stopped one")
        firing = [a for a in prometheus.api("alerts")["alerts"] if a["state"] == "firing"]
        assert firing == [], firing
    finally:
        prometheus.stop()
        doomed.stop()
        time.sleep(0)
