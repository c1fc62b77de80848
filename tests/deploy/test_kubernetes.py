"""k8s/: every overlay renders with kubectl's kustomize, and every object validates offline.

Built-in kinds go to kubernetes-validate (--strict: unknown fields are errors) against the
Kubernetes versions below; custom resources go to check-jsonschema against the operators'
schemas vendored in tests/deploy/schemas/crds (an unknown kind fails there).
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.catalogue import SERVICES
from tests.deploy.conftest import Rendered
from tests.deploy.tools import ROOT, SCHEMAS, ok, refused, run

# The oldest Kubernetes grantflow supports and the newest the validator knows.
KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")
CUSTOM_GROUPS = ("rabbitmq.com/", "postgresql.cnpg.io/", "monitoring.coreos.com/")
CRD_INDEX = SCHEMAS / "crds" / "index.json"
INTERNAL_SYSTEMS = ("appraisal-office", "promotion-centres", "state-treasury")
DEPLOYED = (*SERVICES, "workspace")  # the workspace: pages, not in the metrics catalogue
CALLED_BY_THE_WORKSPACE = ("proposals", "disbursement", "notifications", "reporting")
WORKSPACE_PAGES = (
    "/overview",
    "/provinces",
    "/proposals",
    "/reports",
    "/alerts",
    "/operations",
    "/sign-in",
    "/sign-out",
    "/lang",
    "/static",
)


def is_custom(obj: dict[str, Any]) -> bool:
    return obj["apiVersion"].startswith(CUSTOM_GROUPS)


def split(rendered: Rendered, into: Path) -> tuple[Path, list[Path]]:
    """Built-in objects to one YAML file, each custom resource to a JSON file of its own."""
    native = into / f"{rendered.overlay}-native.yaml"
    native.write_text(yaml.safe_dump_all([o for o in rendered.objects if not is_custom(o)]))
    custom = []
    for i, obj in enumerate(o for o in rendered.objects if is_custom(o)):
        path = into / f"{rendered.overlay}-cr-{i:03d}-{obj['kind'].lower()}.json"
        path.write_text(json.dumps(obj))
        custom.append(path)
    return native, custom


def containers(obj: dict[str, Any]) -> list[dict[str, Any]]:
    spec = obj["spec"]["template"]["spec"]
    return spec.get("initContainers", []) + spec["containers"]


def grantflow_deployments(rendered: Rendered) -> dict[str, dict[str, Any]]:
    return {
        o["metadata"]["name"].removeprefix("grantflow-"): o
        for o in rendered.of_kind("Deployment")
        if o["metadata"]["name"].startswith("grantflow-")
    }


def test_every_overlay_renders(rendered: Rendered) -> None:
    kinds = {o["kind"] for o in rendered.objects}
    assert {"Deployment", "Service", "Job", "RabbitmqCluster", "Cluster"} <= kinds


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_built_in_objects_validate(rendered: Rendered, version: str, tmp_path: Path) -> None:
    native, _ = split(rendered, tmp_path)
    result = run("kubernetes-validate", "--strict", "-k", version, native)
    output = ok(result)
    assert "Couldn't find schema" not in output, output
    passed = len(re.findall(r"passed for resource", output))
    assert passed == len([o for o in rendered.objects if not is_custom(o)]), output


def test_custom_resources_validate_against_their_operators_schemas(
    rendered: Rendered, tmp_path: Path
) -> None:
    _, custom = split(rendered, tmp_path)
    kinds = {json.loads(p.read_text(encoding="utf-8"))["kind"] for p in custom}
    assert {"RabbitmqCluster", "Vhost", "Exchange", "Policy", "User", "Permission"} <= kinds
    assert {"Cluster", "ServiceMonitor", "PrometheusRule"} <= kinds
    ok(run("check-jsonschema", "--schemafile", CRD_INDEX, *custom))


def test_the_validators_refuse_broken_objects(tmp_path: Path) -> None:
    """The checks above can fail: a typo'd field and a bad enum value are refused."""
    deployment = tmp_path / "deployment.yaml"
    deployment.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "x"},
                "spec": {
                    "selector": {"matchLabels": {"a": "b"}},
                    "template": {
                        "metadata": {"labels": {"a": "b"}},
                        "spec": {"containers": [{"name": "x", "image": "y", "livenesProbe": {}}]},
                    },
                },
            }
        )
    )
    assert "livenesProbe" in refused(
        run("kubernetes-validate", "--strict", "-k", KUBERNETES_VERSIONS[0], deployment)
    )
    policy = tmp_path / "policy.json"
    policy.write_text(
        json.dumps(
            {
                "apiVersion": "rabbitmq.com/v1beta1",
                "kind": "Policy",
                "metadata": {"name": "x"},
                "spec": {
                    "name": "x",
                    "pattern": "^x",
                    "applyTo": "quorum-queues",
                    "definition": {},
                    "rabbitmqClusterReference": {"name": "rabbitmq"},
                },
            }
        )
    )
    assert "applyTo" in refused(run("check-jsonschema", "--schemafile", CRD_INDEX, policy))


def test_each_service_has_its_objects(rendered: Rendered) -> None:
    deployments = grantflow_deployments(rendered)
    assert set(deployments) == set(DEPLOYED)
    for service in DEPLOYED:
        name = f"grantflow-{service}"
        for kind in (
            "Service",
            "PodDisruptionBudget",
            "HorizontalPodAutoscaler",
            "NetworkPolicy",
            "ServiceMonitor",
        ):
            rendered.named(kind, name)
        (container,) = deployments[service]["spec"]["template"]["spec"]["containers"]
        assert container["args"] == ["run", service]
        hpa = rendered.named("HorizontalPodAutoscaler", name)
        assert hpa["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": name,
        }
        assert "replicas" not in deployments[service]["spec"], "the HPA owns the replica count"
        monitor = rendered.named("ServiceMonitor", name)
        assert monitor["spec"]["endpoints"][0]["path"] == "/metrics"
        labels = rendered.named("Service", name)["metadata"]["labels"]
        assert monitor["spec"]["selector"]["matchLabels"].items() <= labels.items()


def test_deployments_are_probed_bounded_and_locked_down(rendered: Rendered) -> None:
    for service, deployment in grantflow_deployments(rendered).items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["terminationGracePeriodSeconds"] >= 60, service
        assert pod["securityContext"]["runAsNonRoot"] is True, service
        assert pod["securityContext"]["runAsUser"] != 0, service
        assert pod["automountServiceAccountToken"] is False, service
        for container in containers(deployment):
            assert container["livenessProbe"]["httpGet"]["path"] == "/health/live", service
            assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready", service
            resources = container["resources"]
            assert {"cpu", "memory"} <= resources["requests"].keys(), service
            assert "memory" in resources["limits"], service
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, service
            assert security["allowPrivilegeEscalation"] is False, service
            assert security["capabilities"]["drop"] == ["ALL"], service


def test_secrets_reach_pods_only_by_secret_key_ref(rendered: Rendered) -> None:
    secretish = re.compile(r"PASSWORD|SECRET|TOKEN|USERNAME|DATABASE_URL")
    for obj in rendered.of_kind("Deployment") + rendered.of_kind("Job"):
        for container in containers(obj):
            for source in container.get("envFrom", []):
                assert "secretRef" not in source, f"{obj['metadata']['name']}: envFrom a Secret"
            env = {e["name"]: e for e in container.get("env", [])}
            from_secrets = {n for n, e in env.items() if "secretKeyRef" in e.get("valueFrom", {})}
            for name, entry in env.items():
                if secretish.search(name):
                    assert name in from_secrets, f"{obj['metadata']['name']}: {name} is literal"
                for ref in re.findall(r"\$\((\w+)\)", entry.get("value", "")):
                    assert ref in env, f"{name} refers to undefined {ref}"
            if "AMQP_URI" in env:
                uri = env["AMQP_URI"]["value"]
                assert "$(AMQP_PASSWORD)" in uri and "guest" not in uri, uri


def test_prod_ships_no_password(prod: Rendered) -> None:
    """A Secret prod renders holds placeholders the operators fill (the services refuse them,
    tests/deploy/test_production_settings.py) or a RabbitMQ user's name, never a password."""
    from grantflow_tools.startcheck import PLACEHOLDER

    for secret in prod.of_kind("Secret"):
        values = {k: base64.b64decode(v).decode() for k, v in secret.get("data", {}).items()}
        values.update(secret.get("stringData", {}))
        name = secret["metadata"]["name"]
        assert values, f"{name} is empty"
        if all(PLACEHOLDER in v for v in values.values()):
            continue
        assert set(values) == {"username"}, f"{name}: {sorted(values)} without a placeholder"
    assert "guest" not in prod.text
    config = prod.named("ConfigMap", "grantflow-config")["data"]
    assert config["GRANTFLOW_ENV"] == "production"
    for cm in prod.of_kind("ConfigMap"):
        for key in cm.get("data", {}):
            assert not re.search(r"PASSWORD|SECRET|TOKEN", key), f"{key} in ConfigMap"


def test_migrations_run_in_one_job_per_release(rendered: Rendered) -> None:
    (job,) = rendered.of_kind("Job")
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert container["args"] == ["migrate"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    tag = container["image"].rsplit(":", 1)[1]
    assert job["metadata"]["name"] == "grantflow-migrate-" + re.sub(r"[^a-z0-9]+", "-", tag), (
        "name the migration Job after the release's image tag"
    )
    images = {c["image"] for d in grantflow_deployments(rendered).values() for c in containers(d)}
    assert images == {container["image"]}, "the Job migrates for the image the services run"
    for deployment in rendered.of_kind("Deployment"):
        for c in containers(deployment):
            assert "migrate" not in c.get("args", []), "migrations do not run in every pod"


def test_rabbitmq_topology(rendered: Rendered) -> None:
    cluster = rendered.named("RabbitmqCluster", "rabbitmq")
    assert (
        "prometheus.return_per_object_metrics = true"
        in (cluster["spec"]["rabbitmq"]["additionalConfig"])
    )
    vhost = rendered.named("Vhost", "grantflow")["spec"]
    assert vhost["defaultQueueType"] == "quorum"
    exchange = rendered.named("Exchange", "grantflow-lifecycle")["spec"]
    assert (exchange["name"], exchange["type"], exchange["durable"]) == (
        "grantflow.lifecycle",
        "topic",
        True,
    )
    assert {p["spec"]["applyTo"] for p in rendered.of_kind("Policy")} == {"quorum_queues"}
    users = {u["metadata"]["name"] for u in rendered.of_kind("User")}
    assert users == {"grantflow-services", *INTERNAL_SYSTEMS}
    for user in rendered.of_kind("User"):
        assert user["spec"]["tags"] == [], "no user may impersonate another (user_id)"
        imported = user["spec"].get("importCredentialsSecret")
        if imported:  # a fixed name only: the operator generates the password
            secret = rendered.named("Secret", imported["name"])
            assert set(secret.get("stringData", secret.get("data", {}))) == {"username"}
    for system in INTERNAL_SYSTEMS:
        perms = rendered.named("Permission", system)["spec"]["permissions"]
        assert perms == {"configure": "^$", "write": "^grantflow\\.lifecycle$", "read": "^$"}
    services = rendered.named("Permission", "grantflow-services")["spec"]["permissions"]
    assert re.fullmatch(services["write"], "amq.default"), "retries go through amq.default"


def test_prod_runs_clusters_of_three(prod: Rendered) -> None:
    assert prod.named("RabbitmqCluster", "rabbitmq")["spec"]["replicas"] == 3
    assert prod.named("Cluster", "grantflow-db")["spec"]["instances"] == 3
    for hpa in prod.of_kind("HorizontalPodAutoscaler"):
        assert hpa["spec"]["minReplicas"] >= 2
    for pdb in prod.of_kind("PodDisruptionBudget"):
        assert pdb["spec"]["minAvailable"] == 1


def test_the_ingress_routes_the_api_and_the_workspace_pages_only(rendered: Rendered) -> None:
    ingresses = {i["metadata"]["name"]: i for i in rendered.of_kind("Ingress")}
    assert set(ingresses) == {"grantflow-api", "grantflow-workspace"}
    for rule in ingresses["grantflow-api"]["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            assert path["path"].startswith("/api/"), f"{path['path']} must stay internal"
    (rule,) = ingresses["grantflow-workspace"]["spec"]["rules"]
    paths = {p["path"]: p for p in rule["http"]["paths"]}
    assert set(paths) == {"/", *WORKSPACE_PAGES}
    assert paths["/"]["pathType"] == "Exact", "/ as a prefix would route /metrics and /health"
    for path in paths.values():
        assert path["backend"]["service"]["name"] == "grantflow-workspace"


def test_network_policies_admit_only_ingress_prometheus_and_the_workspace(
    rendered: Rendered,
) -> None:
    for service in DEPLOYED:
        policy = rendered.named("NetworkPolicy", f"grantflow-{service}")["spec"]
        assert set(policy["policyTypes"]) == {"Ingress", "Egress"}
        peers = [peer for rule in policy["ingress"] for peer in rule["from"]]
        namespaces = {
            peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
            for peer in peers
            if "namespaceSelector" in peer
        }
        assert namespaces == {"ingress-nginx", "monitoring"}
        pods = {
            peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"]
            for peer in peers
            if "namespaceSelector" not in peer
        }
        called = service in CALLED_BY_THE_WORKSPACE
        assert pods == ({"grantflow-workspace"} if called else set()), service
    egress = rendered.named("NetworkPolicy", "grantflow-workspace")["spec"]["egress"]
    reached = {
        peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"]
        for rule in egress
        for peer in rule.get("to", [])
        if "namespaceSelector" not in peer
    }
    assert reached == {f"grantflow-{s}" for s in CALLED_BY_THE_WORKSPACE}


def test_the_workspace_runs_with_its_production_settings(rendered: Rendered) -> None:
    (container,) = grantflow_deployments(rendered)["workspace"]["spec"]["template"]["spec"][
        "containers"
    ]
    assert container["ports"][0]["containerPort"] == 8005
    env = {e["name"]: e for e in container["env"]}
    secret = env["WORKSPACE_SESSION_SECRET"]["valueFrom"]["secretKeyRef"]
    assert secret["name"].startswith("grantflow-workspace-") and secret["key"] == "session-secret"
    stored = rendered.named("Secret", secret["name"])  # the generated Secret (with its hash)
    assert "session-secret" in stored.get("data", stored.get("stringData", {}))
    config = rendered.named("ConfigMap", "grantflow-workspace")["data"]
    for service, port in zip(CALLED_BY_THE_WORKSPACE, (8001, 8002, 8003, 8004), strict=True):
        assert config[f"WORKSPACE_{service.upper()}_URL"] == f"http://grantflow-{service}:{port}"
        ports = rendered.named("Service", f"grantflow-{service}")["spec"]["ports"]
        assert [p["port"] for p in ports] == [port]
    host = rendered.named("Ingress", "grantflow-workspace")["spec"]["rules"][0]["host"]
    assert config["WORKSPACE_PUBLIC_URL"].split("://")[1] == host
    shared = rendered.named("ConfigMap", "grantflow-config")["data"]
    assert shared["WORKSPACE_BASE_URL"] == config["WORKSPACE_PUBLIC_URL"], "email links"
    if rendered.overlay == "prod":
        assert config["WORKSPACE_PUBLIC_URL"].startswith("https://")
        assert config["WORKSPACE_SECURE_COOKIE"] == "true" and config["WORKSPACE_OIDC_ISSUER"]


def test_the_prometheus_rule_is_the_compose_rules_file(rendered: Rendered) -> None:
    rules_file = ROOT / "monitoring" / "prometheus" / "rules" / "grantflow.rules.yml"
    plain = yaml.safe_load(rules_file.read_text(encoding="utf-8"))
    (rule,) = rendered.of_kind("PrometheusRule")
    assert rule["spec"]["groups"] == plain["groups"], (
        "k8s/base/monitoring/prometheusrule.yaml and monitoring/prometheus/rules differ"
    )


def test_the_sample_recipients_file_loads() -> None:
    """config/recipients.yaml (the ConfigMap, and compose's mount) is what notifications reads."""
    from grantflow_tools.registry import SERVICES

    path = ROOT / "k8s" / "base" / "config" / "recipients.yaml"
    recipients = yaml.safe_load(path.read_text(encoding="utf-8"))["recipients"]
    assert all({"name", "email"} <= r.keys() for r in recipients)
    if "notifications" in SERVICES:
        from notifications.handlers.commands import parse_recipients_file

        assert len(parse_recipients_file(path)) == len(recipients)
