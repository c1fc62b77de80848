"""monitoring/grafana: the dashboard is well-formed JSON, every panel query is valid PromQL
(promtool parses it) and names only metrics that are exported; the panels the operations
teams need are there. tests/deploy/test_live.py holds the names to a live /metrics scrape."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from tests.deploy.catalogue import family, selectors
from tests.deploy.tools import ROOT, ok, run

DASHBOARD = ROOT / "monitoring" / "grafana" / "dashboards" / "grantflow.json"

# Grafana's variables, as a query would see them once the dashboard has chosen values.
VARIABLES = {
    "$__rate_interval": "5m",
    "$__interval": "1m",
    "$__range": "1h",
    "${datasource}": "prometheus",
    "$service": ".*",
    "$province": ".*",
    "$year": ".*",
}


def dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text(encoding="utf-8"))


def panels(board: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for panel in board["panels"]:
        found.append(panel)
        found.extend(panel.get("panels", []))
    return found


def queries(board: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    """(panel title, PromQL with Grafana's variables substituted) for every panel target."""
    board = board or dashboard()
    return [
        (panel["title"], substitute(target["expr"]))
        for panel in panels(board)
        for target in panel.get("targets", [])
    ]


def substitute(expr: str) -> str:
    for variable, value in VARIABLES.items():
        expr = expr.replace(variable, value)
    assert "$" not in expr, f"unknown Grafana variable in {expr}"
    return expr


def test_dashboard_is_well_formed() -> None:
    board = dashboard()
    assert board["uid"] and board["title"]
    ids = [p["id"] for p in panels(board)]
    assert len(ids) == len(set(ids)), "panel ids repeat"
    for panel in panels(board):
        assert {"h", "w", "x", "y"} <= panel["gridPos"].keys(), panel["title"]
        if panel["type"] != "row":
            assert panel["targets"], f"{panel['title']} has no query"
            for target in panel["targets"]:
                assert target["refId"] and target["expr"].strip(), panel["title"]
    names = {v["name"] for v in board["templating"]["list"]}
    used = set(re.findall(r"\$(\w+)", DASHBOARD.read_text(encoding="utf-8"))) - {
        "__rate_interval",
        "__interval",
        "__range",
        "__all",
    }
    assert used <= names, f"undefined variables {used - names}"


def test_promtool_parses_every_panel_query(tmp_path: Path) -> None:
    """Each query as a recording rule: `promtool check rules` parses and type-checks it."""
    rules = [
        {"record": f"grantflow:dashboard_query_{i}", "expr": expr}
        for i, (_, expr) in enumerate(queries())
    ]
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    assert f"SUCCESS: {len(rules)} rules found" in ok(run("promtool", "check", "rules", path))


def test_every_panel_query_names_an_exported_metric() -> None:
    for title, expr in queries():
        names = selectors(expr)
        assert names, f"{title}: no metric in {expr}"
        for name in names:
            assert name is not None, f"{title}: a selector without a metric name"
            assert family(name) is not None, f"{title}: {name} is not an exported metric"


def test_dashboard_shows_what_operations_need() -> None:
    used = {family(name) for _, expr in queries() for name in selectors(expr)}
    required = {
        # throughput, errors and latency per service
        "grantflow_entrypoint_calls_total",
        "grantflow_entrypoint_duration_seconds",
        # event traffic and the outbox
        "grantflow_events_consumed_total",
        "grantflow_dead_letters_total",
        "grantflow_outbox_backlog_events",
        # queue depths
        "rabbitmq_queue_messages_ready",
        "rabbitmq_queue_consumers",
        # email
        "grantflow_emails_total",
        # business: disbursement rate per province against expected, warning levels
        "grantflow_disbursed_vnd",
        "grantflow_plan_allocated_vnd",
        "grantflow_disbursement_rate_ratio",
        "grantflow_expected_disbursement_rate_ratio",
        "grantflow_province_warning_level",
        "grantflow_lagging_proposals",
        # the year-end forecast (issue 17)
        "grantflow_forecast_disbursement_rate_ratio",
        "grantflow_data_quality_score",
    }
    assert required - used == set()
    levels = next(p for p in panels(dashboard()) if p["title"].lower().startswith("warning level"))
    mapping = levels["fieldConfig"]["defaults"]["mappings"][0]["options"]
    assert {k: v["text"] for k, v in mapping.items()} == {
        "0": "normal",
        "1": "watch",
        "2": "warning",
        "3": "critical",
    }


def label_regex(expr: str, label: str) -> str:
    """The regex a PromQL selector matches `label` with (`label=~"..."`), unescaped."""
    (found,) = re.findall(label + r'=~"((?:[^"\\]|\\.)*)"', expr)
    return found.encode().decode("unicode_escape")


def test_the_consumer_panel_shows_the_queue_of_every_service_that_consumes() -> None:
    """Every registered service's own queues (registry's among them) match the panel's
    queue regex, anchored as Prometheus anchors it."""
    from tests.deploy.catalogue import consumer_queues

    panel = next(p for p in panels(dashboard()) if p["title"] == "Consumers per service queue")
    (target,) = panel["targets"]
    pattern = re.compile(label_regex(target["expr"], "queue"))
    queues = consumer_queues()
    assert "registry" in queues
    for service, names in queues.items():
        for queue in names:
            assert pattern.fullmatch(queue), f"{service}'s queue {queue} is not on the panel"
    assert not pattern.fullmatch("grantflow.lifecycle.dead")
    assert not pattern.fullmatch("grantflow.events.unrouted")


def test_the_targets_panel_shows_every_service_job() -> None:
    from tests.deploy.catalogue import registered

    panel = next(p for p in panels(dashboard()) if p["title"] == "Targets up")
    pattern = re.compile(label_regex(panel["targets"][0]["expr"], "job"))
    for service in registered():
        assert pattern.fullmatch(f"grantflow-{service}"), service
