"""The Kubernetes manifests, without a cluster: well-formed objects that do what
docs/deploy.md says (replicas, probes on /healthz and /readyz, a migration Job, no root, a
grace period longer than the bot's 10 s shutdown), and `kubectl kustomize` renders them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.serving import SHUTDOWN_SECONDS

K8S = Path(__file__).resolve().parent.parent.parent / "deploy" / "k8s"


def documents(name: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all((K8S / name).read_text(encoding="utf-8")) if d]


@pytest.fixture(scope="module")
def objects() -> dict[tuple[str, str], dict[str, Any]]:
    kustomization = documents("kustomization.yaml")[0]
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for resource in kustomization["resources"]:
        for document in documents(resource):
            assert {"apiVersion", "kind", "metadata"} <= set(document), resource
            found[(document["kind"], document["metadata"]["name"])] = document
    return found


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = workload["spec"]["template"]["spec"]
    return spec


def test_every_resource_is_listed_and_parses(objects: dict[tuple[str, str], Any]) -> None:
    assert {
        ("Namespace", "cets"),
        ("ConfigMap", "cets-config"),
        ("Job", "cets-migrate"),
        ("Deployment", "cets-registry"),
        ("Service", "cets-registry"),
        ("Deployment", "cets-bot"),
        ("Service", "cets-bot"),
        ("PodDisruptionBudget", "cets-bot"),
        ("Ingress", "cets-bot"),
    } <= set(objects)


def test_the_bot_deployment_has_replicas_and_probes(objects: dict[tuple[str, str], Any]) -> None:
    bot = objects[("Deployment", "cets-bot")]
    assert bot["spec"]["replicas"] >= 2
    assert bot["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    labels = bot["spec"]["template"]["metadata"]["labels"]
    assert bot["spec"]["selector"]["matchLabels"].items() <= labels.items()
    [container] = pod_spec(bot)["containers"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    assert ports == {"http": 8080}
    assert pod_spec(bot)["terminationGracePeriodSeconds"] > SHUTDOWN_SECONDS
    service = objects[("Service", "cets-bot")]
    assert service["spec"]["selector"].items() <= labels.items()


def test_migrations_run_as_a_job_not_in_the_workers(objects: dict[tuple[str, str], Any]) -> None:
    job = objects[("Job", "cets-migrate")]
    [container] = pod_spec(job)["containers"]
    assert container["command"] == ["cets-bot", "db", "upgrade"]
    assert pod_spec(job)["restartPolicy"] == "Never"
    registry = objects[("Deployment", "cets-registry")]
    assert "--no-migrate" in pod_spec(registry)["containers"][0]["command"]


def test_nothing_runs_as_root_or_with_privileges(objects: dict[tuple[str, str], Any]) -> None:
    for key in (
        ("Deployment", "cets-bot"),
        ("Deployment", "cets-registry"),
        ("Job", "cets-migrate"),
    ):
        spec = pod_spec(objects[key])
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["runAsUser"] != 0
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False
            assert context["readOnlyRootFilesystem"] is True
            assert context["capabilities"]["drop"] == ["ALL"]
            assert container["resources"]["limits"]["memory"]
            refs = {next(iter(ref.values()))["name"] for ref in container["envFrom"]}
            assert refs == {"cets-config", "cets-secrets"}


def test_secrets_are_not_in_the_config_map_and_metrics_are_not_public(
    objects: dict[tuple[str, str], Any],
) -> None:
    config = objects[("ConfigMap", "cets-config")]["data"]
    assert not [name for name in config if any(s in name for s in ("TOKEN", "SECRET", "PASSWORD"))]
    assert "CETS_DATABASE_URL" not in config  # carries the database password
    ingress = objects[("Ingress", "cets-bot")]
    paths = [p["path"] for rule in ingress["spec"]["rules"] for p in rule["http"]["paths"]]
    assert "/telegram/webhook" in paths and "/messenger/webhook" in paths
    assert not [p for p in paths if p in {"/", "/metrics", "/readyz"}]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomize_renders_the_manifests_with_the_image() -> None:
    rendered = subprocess.run(
        ["kubectl", "kustomize", str(K8S)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    kinds = [d["kind"] for d in yaml.safe_load_all(rendered) if d]
    assert kinds.count("Deployment") == 2 and "Job" in kinds
    assert "image: registry.example.org/cets/cets-bot:latest" in rendered
    assert "namespace: cets" in rendered
