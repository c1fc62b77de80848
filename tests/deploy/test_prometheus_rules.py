"""monitoring/prometheus: promtool checks the rules and the scrape config, and runs the rule
tests; every alert is tested firing and not firing, names real metrics and has a runbook."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from tests.deploy.catalogue import family, selectors
from tests.deploy.tools import ROOT, ok, refused, run

PROMETHEUS = ROOT / "monitoring" / "prometheus"
RULES = PROMETHEUS / "rules" / "grantflow.rules.yml"
RULE_TESTS = PROMETHEUS / "tests" / "grantflow.rules.test.yml"
OPERATIONS = ROOT / "docs" / "operations.md"


def alerts() -> list[dict[str, Any]]:
    groups = yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def test_promtool_checks_the_rules() -> None:
    output = ok(run("promtool", "check", "rules", RULES))
    assert f"SUCCESS: {len(alerts())} rules found" in output


def test_promtool_refuses_a_broken_rule(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        yaml.safe_dump({"groups": [{"name": "g", "rules": [{"alert": "A", "expr": "up =="}]}]})
    )
    refused(run("promtool", "check", "rules", broken))


def test_promtool_rule_tests_pass() -> None:
    output = ok(run("promtool", "test", "rules", RULE_TESTS))
    assert "SUCCESS" in output


def test_every_alert_is_tested_firing_and_not_firing() -> None:
    cases = yaml.safe_load(RULE_TESTS.read_text(encoding="utf-8"))["tests"]
    firing: set[str] = set()
    silent: set[str] = set()
    for case in cases:
        for check in case.get("alert_rule_test", []):
            (firing if check.get("exp_alerts") else silent).add(check["alertname"])
    names = {rule["alert"] for rule in alerts()}
    assert names - firing == set(), "alerts never tested firing"
    assert names - silent == set(), "alerts never tested not firing"


def test_alerts_name_only_exported_metrics() -> None:
    for rule in alerts():
        for name in selectors(rule["expr"]):
            assert name is not None, f"{rule['alert']}: a selector without a metric name"
            assert family(name) is not None, f"{rule['alert']}: {name} is not exported"


def test_every_alert_has_a_runbook_entry() -> None:
    text = OPERATIONS.read_text(encoding="utf-8")
    anchors = {
        re.sub(r"[^a-z0-9 -]", "", heading.strip().lower()).replace(" ", "-")
        for heading in re.findall(r"^#{2,4} (.+)$", text, flags=re.M)
    }
    for rule in alerts():
        assert rule["labels"]["severity"] in ("critical", "warning"), rule["alert"]
        runbook = rule["annotations"]["runbook"]
        path, _, anchor = runbook.partition("#")
        assert path == "docs/operations.md", runbook
        assert anchor == rule["alert"].lower() and anchor in anchors, (
            f"docs/operations.md has no heading for {rule['alert']}"
        )


def test_promtool_checks_the_compose_scrape_config(tmp_path: Path) -> None:
    """The compose Prometheus config, with its rule glob pointed at the project's rules."""
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text(encoding="utf-8"))
    assert config["rule_files"] == ["/etc/prometheus/rules/*.yml"]
    config["rule_files"] = [str(RULES)]
    local = tmp_path / "prometheus.yml"
    local.write_text(yaml.safe_dump(config))
    output = ok(run("promtool", "check", "config", local))
    assert f"SUCCESS: {len(alerts())} rules found" in output
    jobs = {job["job_name"] for job in config["scrape_configs"]}
    for service in ("proposals", "disbursement", "notifications", "reporting"):
        assert f"grantflow-{service}" in jobs
    assert "rabbitmq" in jobs


def test_every_registered_service_is_scraped_on_its_port_and_watched() -> None:
    """The compose scrape config has a job per service `grantflow run` knows, at its port,
    and GrantflowServiceDown's job regex covers each of them."""
    from grantflow.config import SERVICE_PORTS
    from tests.deploy.catalogue import registered
    from tests.deploy.test_dashboard import label_regex

    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text(encoding="utf-8"))
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    (down,) = [rule for rule in alerts() if rule["alert"] == "GrantflowServiceDown"]
    watched = re.compile(label_regex(down["expr"], "job"))
    for service in registered():
        job = jobs[f"grantflow-{service}"]
        assert job["static_configs"] == [{"targets": [f"{service}:{SERVICE_PORTS[service]}"]}]
        assert watched.fullmatch(f"grantflow-{service}"), f"{service} down would not alert"
    assert not watched.fullmatch("rabbitmq")
