"""docker-compose.yml validates against the Compose Specification schema (vendored) and wires
the stack as documented: migrations first, health-checked services, Prometheus and Grafana
loading the project's files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.catalogue import SERVICES
from tests.deploy.tools import ROOT, SCHEMAS, ok, refused, run

COMPOSE = ROOT / "docker-compose.yml"
SCHEMA = SCHEMAS / "compose-spec.json"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def test_compose_file_validates_against_the_compose_specification() -> None:
    ok(run("check-jsonschema", "--schemafile", SCHEMA, COMPOSE))


def test_the_schema_check_refuses_a_broken_compose_file(
    compose: dict[str, Any], tmp_path: Path
) -> None:
    broken = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    broken["services"]["proposals"]["depends_on"]["migrate"]["condition"] = "service_done"
    broken["services"]["reporting"]["helthcheck"] = {"test": ["CMD", "true"]}
    path = tmp_path / "docker-compose.yml"
    path.write_text(yaml.safe_dump(broken))
    output = refused(run("check-jsonschema", "--schemafile", SCHEMA, path))
    assert "service_done" in output or "helthcheck" in output


def test_services_wait_for_migrations_broker_and_database(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["migrate"]["command"] == ["migrate"]
    assert services["migrate"]["restart"] == "no"
    for name in SERVICES:
        service = services[name]
        assert service["command"] == ["run", name]
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert service["depends_on"]["rabbitmq"]["condition"] == "service_healthy"
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert "/health/ready" in " ".join(service["healthcheck"]["test"])
        assert service["stop_grace_period"] == "90s"
        assert service["environment"]["DATABASE_URL"].startswith("postgresql://")
    for infra in ("rabbitmq", "postgres", "mailcatcher"):
        assert "test" in services[infra]["healthcheck"], infra
    notifications = services["notifications"]
    assert notifications["environment"]["SMTP_HOST"] == "mailcatcher"
    assert notifications["depends_on"]["mailcatcher"]["condition"] == "service_healthy"


def test_the_workspace_runs_after_the_services_it_reads_and_emails_link_to_it(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    workspace = services["workspace"]
    assert workspace["command"] == ["run", "workspace"]
    assert workspace["ports"] == ["8005:8005"]
    assert "8005/health/ready" in " ".join(workspace["healthcheck"]["test"])
    env = workspace["environment"]
    for name, port in (("proposals", 8001), ("disbursement", 8002), ("notifications", 8003)):
        assert env[f"WORKSPACE_{name.upper()}_URL"] == f"http://{name}:{port}"
        assert workspace["depends_on"][name]["condition"] == "service_healthy"
    assert env["WORKSPACE_REPORTING_URL"] == "http://reporting:8004"
    assert workspace["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert len(env["WORKSPACE_SESSION_SECRET"].split(":-")[1].rstrip("}")) >= 32
    assert env["GRANTFLOW_ENV"] == "development", "the development sign-in, never in production"
    links = services["notifications"]["environment"]["WORKSPACE_BASE_URL"]
    assert links == env["WORKSPACE_PUBLIC_URL"] == "http://localhost:8005"


def test_mounted_files_exist_and_rabbitmq_exports_per_queue_metrics(
    compose: dict[str, Any],
) -> None:
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name} mounts missing {source}"
    plugins = (ROOT / "monitoring" / "rabbitmq" / "enabled_plugins").read_text(encoding="utf-8")
    assert "rabbitmq_prometheus" in plugins and "rabbitmq_management" in plugins
    conf = (ROOT / "monitoring" / "rabbitmq" / "rabbitmq.conf").read_text(encoding="utf-8")
    assert "prometheus.return_per_object_metrics = true" in conf
    prometheus = compose["services"]["prometheus"]
    mounts = " ".join(prometheus["volumes"])
    assert "./monitoring/prometheus/prometheus.yml:" in mounts
    assert "./monitoring/prometheus/rules:" in mounts
    grafana = " ".join(compose["services"]["grafana"]["volumes"])
    assert "./monitoring/grafana/provisioning:" in grafana
    assert "./monitoring/grafana/dashboards:" in grafana


def test_grafana_provisioning_points_at_the_mounted_dashboards(compose: dict[str, Any]) -> None:
    provisioning = ROOT / "monitoring" / "grafana" / "provisioning"
    providers = yaml.safe_load(
        (provisioning / "dashboards" / "grantflow.yml").read_text(encoding="utf-8")
    )
    path = providers["providers"][0]["options"]["path"]
    mounts = compose["services"]["grafana"]["volumes"]
    assert f"./monitoring/grafana/dashboards:{path}:ro" in mounts
    sources = yaml.safe_load(
        (provisioning / "datasources" / "prometheus.yml").read_text(encoding="utf-8")
    )
    (source,) = sources["datasources"]
    assert source["type"] == "prometheus" and source["url"] == "http://prometheus:9090"


def test_every_registered_service_runs_in_the_stack_on_its_port(compose: dict[str, Any]) -> None:
    """What `grantflow run` knows, compose runs (Prometheus scrapes each of them)."""
    from grantflow.config import SERVICE_PORTS
    from tests.deploy.catalogue import registered

    for name in registered():
        service = compose["services"][name]
        assert service["command"] == ["run", name]
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        port = SERVICE_PORTS[name]
        assert f"{port}:{port}" in service["ports"], name
        assert f"127.0.0.1:{port}/health/ready" in " ".join(service["healthcheck"]["test"]), name
