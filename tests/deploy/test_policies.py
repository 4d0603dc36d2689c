"""Rules every rendered overlay keeps: hardened, bounded containers; probes on the APIs;
deny-by-default networking; one autoscaler per workload; single relays; and nothing of the
development setup (secrets, demo users) in production."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

DEV_SECRET = re.compile(r"-dev-secret|jembatan-dev|dev-only-|-dev@")
DEMO_LOGINS = {"siti", "budi", "rina", "admin"}


def strings_in(node: Any) -> Iterator[str]:
    """Every string anywhere in a resource, keys included."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from strings_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings_in(item)
    elif isinstance(node, str):
        yield node


def readable(resource: dict[str, Any]) -> dict[str, Any]:
    """A Secret's data decoded, so a scan sees its values; any other resource as it is."""
    if resource["kind"] != "Secret":
        return resource
    data = {k: base64.b64decode(v).decode() for k, v in resource.get("data", {}).items()}
    return {**resource, "data": data}


def local_stack_processes() -> dict[str, str]:
    """infra/services.txt: process name -> the module it runs."""
    processes = {}
    for line in (ROOT / "infra" / "services.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, *words = line.split()
            module = words[words.index("-m") + 2 if words[1] == "shared.serve" else 1]
            processes[name] = module.split(":")[0]
    return processes


def autoscaled(manifests) -> dict[str, list[str]]:
    """Deployment name -> the autoscalers (HPA or KEDA ScaledObject) that target it."""
    targets: dict[str, list[str]] = {}
    for hpa in manifests.of_kind("HorizontalPodAutoscaler"):
        ref = hpa["spec"]["scaleTargetRef"]
        assert ref["kind"] == "Deployment"
        targets.setdefault(ref["name"], []).append(f"HPA {hpa['metadata']['name']}")
    for scaled in manifests.of_kind("ScaledObject"):
        ref = scaled["spec"]["scaleTargetRef"]
        assert ref.get("kind", "Deployment") == "Deployment"
        targets.setdefault(ref["name"], []).append(f"ScaledObject {scaled['metadata']['name']}")
    return targets


def test_every_container_has_requests_and_limits(manifests) -> None:
    for workload in manifests.workloads():
        for container in manifests.containers(workload):
            resources = container.get("resources", {})
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(resources.get(bound, {})), (
                    f"{workload['metadata']['name']}/{container['name']}: {bound}"
                )


def test_every_container_runs_hardened(manifests) -> None:
    workloads = manifests.workloads()
    assert any(manifests.pod_spec(w).get("initContainers") for w in workloads) == (
        manifests.overlay == "local"  # the seeding Job: its migration is an init container
    )
    for workload in workloads:
        pod = manifests.pod_spec(workload)
        where = workload["metadata"]["name"]
        assert pod["securityContext"]["runAsNonRoot"] is True, where
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", where
        assert pod["automountServiceAccountToken"] is False, where
        for container in manifests.containers(workload):
            context = container["securityContext"]
            where = f"{workload['metadata']['name']}/{container['name']}"
            assert context["runAsNonRoot"] is True, where
            assert context["readOnlyRootFilesystem"] is True, where
            assert context["allowPrivilegeEscalation"] is False, where
            assert context["capabilities"]["drop"] == ["ALL"], where
            assert "add" not in context["capabilities"], where


def test_a_read_only_root_leaves_the_processes_a_writable_tmp(manifests) -> None:
    for workload in manifests.workloads():
        if not workload["metadata"]["name"].startswith("otel-collector"):
            volumes = {v["name"]: v for v in manifests.pod_spec(workload)["volumes"]}
            assert "emptyDir" in volumes["tmp"]
            for container in manifests.containers(workload):
                mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
                assert mounts["/tmp"] == "tmp"


def test_every_api_is_probed_on_healthz_and_readyz(manifests) -> None:
    apis = manifests.by_component("api")
    assert {a["metadata"]["name"] for a in apis} == {
        f"{s}-api" for s in ("client", "referral", "training", "notify", "indicators", "portal")
    }
    for api in apis:
        (container,) = api["spec"]["template"]["spec"]["containers"]
        port = container["ports"][0]["name"]
        # Over HTTPS where the API serves it (components/service-tls; test_service_tls.py).
        for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
            get = dict(container[probe]["httpGet"])
            assert get.pop("scheme", "HTTP") in ("HTTP", "HTTPS")
            assert get == {"path": path, "port": port}


def test_every_process_of_the_local_stack_runs_as_a_deployment(manifests) -> None:
    """infra/services.txt lists every process; the cluster runs the same ones."""
    commands = {
        d["metadata"]["name"]: " ".join(c.get("command", []) + c.get("args", []))
        for d in manifests.of_kind("Deployment")
        for c in d["spec"]["template"]["spec"]["containers"]
    }
    for name, module in local_stack_processes().items():
        assert name in commands, f"no Deployment {name}"
        assert module in commands[name], f"{name} does not run {module}: {commands[name]}"


def test_every_service_database_is_migrated_by_a_job(manifests) -> None:
    jobs = {j["metadata"]["name"]: j for j in manifests.of_kind("Job")}
    for service in ("client", "referral", "training", "notify", "indicators", "portal"):
        job = jobs[f"{service}-migrate"]
        commands = [c["command"] for c in manifests.containers(job)]
        assert any(c[-1].endswith(".entrypoints.migrate") for c in commands)


def test_every_namespace_denies_all_traffic_by_default(manifests) -> None:
    namespaces = {d["metadata"]["name"] for d in manifests.of_kind("Namespace")} | {
        d["metadata"]["namespace"] for d in manifests.all if "namespace" in d["metadata"]
    }
    assert namespaces
    for namespace in namespaces:
        deny_all = [
            p
            for p in manifests.of_kind("NetworkPolicy")
            if p["metadata"].get("namespace") == namespace
            and p["spec"]["podSelector"] == {}
            and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
            and not p["spec"].get("ingress")
            and not p["spec"].get("egress")
        ]
        assert deny_all, f"{manifests.overlay}: no default-deny NetworkPolicy in {namespace}"


def test_every_pod_has_an_allow_list_beyond_dns(manifests) -> None:
    """Under the default deny, a pod no allow-list selects could reach nothing at all."""
    allow_lists = [
        p
        for p in manifests.of_kind("NetworkPolicy")
        if p["spec"]["podSelector"] != {} and "Egress" in p["spec"]["policyTypes"]
    ]
    for workload in manifests.workloads():
        labels = workload["spec"]["template"]["metadata"]["labels"]
        selecting = [
            p["metadata"]["name"]
            for p in allow_lists
            if p["spec"]["podSelector"]["matchLabels"].items() <= labels.items()
        ]
        assert selecting, f"{workload['metadata']['name']} ({labels}) is selected by no allow-list"


def test_only_a_service_itself_reaches_its_database(manifests) -> None:
    for policy in manifests.of_kind("NetworkPolicy"):
        selected = policy["spec"]["podSelector"].get("matchLabels", {})
        for rule in policy["spec"].get("egress", []):
            for peer in rule.get("to", []):
                database = peer.get("podSelector", {}).get("matchLabels", {}).get("cnpg.io/cluster")
                if database and database != "keycloak-db":
                    assert database == f"{selected['app.kubernetes.io/name']}-db", policy
        database = selected.get("cnpg.io/cluster")
        for rule in policy["spec"].get("ingress", []):
            for peer in rule.get("from", []):
                service = peer.get("podSelector", {}).get("matchLabels", {})
                if database and "app.kubernetes.io/name" in service:
                    assert database == f"{service['app.kubernetes.io/name']}-db", policy


def test_every_api_admits_the_gateway(manifests) -> None:
    policies = manifests.of_kind("NetworkPolicy")
    for api in manifests.by_component("api"):
        labels = api["spec"]["template"]["metadata"]["labels"]
        port = api["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"]
        admitting = [
            p
            for p in policies
            if p["spec"]["podSelector"].get("matchLabels", {}).items() <= labels.items()
            and any(
                any(
                    peer.get("namespaceSelector", {}).get("matchLabels", {})
                    == {"kubernetes.io/metadata.name": "envoy-gateway-system"}
                    for peer in rule.get("from", [])
                )
                and {"protocol": "TCP", "port": port} in rule.get("ports", [])
                for rule in p["spec"].get("ingress", [])
            )
        ]
        assert admitting, f"{api['metadata']['name']}: nothing lets the gateway in"


def test_no_workload_has_both_an_hpa_and_a_scaled_object(manifests) -> None:
    deployments = {d["metadata"]["name"] for d in manifests.of_kind("Deployment")}
    for name, autoscalers in autoscaled(manifests).items():
        assert name in deployments, f"{autoscalers} target a missing Deployment {name}"
        assert len(autoscalers) == 1, f"{name}: {autoscalers}"


def test_production_scales_apis_on_cpu_and_workers_on_lag(production) -> None:
    targets = autoscaled(production)
    for api in production.by_component("api"):
        assert targets[api["metadata"]["name"]][0].startswith("HPA")
        assert "replicas" not in api["spec"], "the HPA owns the replica count"
    for worker in production.by_component("worker"):
        assert targets[worker["metadata"]["name"]][0].startswith("ScaledObject")
        assert "replicas" not in worker["spec"], "KEDA owns the replica count"


def test_relays_run_exactly_one_replica_and_are_never_autoscaled(manifests) -> None:
    relays = manifests.by_component("relay")
    assert {r["metadata"]["name"] for r in relays} == {
        name for name in local_stack_processes() if name.endswith("-relay")
    }
    targets = autoscaled(manifests)
    for relay in relays:
        assert relay["spec"]["replicas"] == 1
        assert relay["spec"]["strategy"] == {"type": "Recreate"}
        assert relay["metadata"]["name"] not in targets


def test_no_disruption_budget_makes_a_single_pod_undrainable(manifests) -> None:
    deployments = {d["metadata"]["name"]: d for d in manifests.of_kind("Deployment")}
    for budget in manifests.of_kind("PodDisruptionBudget"):
        assert "minAvailable" not in budget["spec"], budget["metadata"]["name"]
        assert budget["spec"]["maxUnavailable"] >= 1
        app = budget["spec"]["selector"]["matchLabels"]["app"]
        assert deployments[app]["metadata"]["labels"]["app.kubernetes.io/component"] not in (
            "relay",
            "timers",
        )


def test_production_images_are_pinned(production) -> None:
    for workload in production.workloads():
        for container in production.containers(workload):
            image = container["image"]
            if "@sha256:" not in image:
                name = image.rsplit("/", 1)[-1]
                assert ":" in name, f"{image} has no tag"
                assert name.rpartition(":")[2] not in ("latest", "dev"), image


def test_production_holds_no_dev_secret_anywhere(production) -> None:
    found = {
        f"{r['kind']}/{r['metadata']['name']}": s
        for r in production.all
        for s in strings_in(readable(r))
        if DEV_SECRET.search(s)
    }
    assert not found


def test_the_dev_secret_scan_finds_the_local_overlays_secrets(local) -> None:
    """The scan above would find them: the local overlay has them on purpose."""
    found = {s for r in local.all for s in strings_in(readable(r)) if DEV_SECRET.search(s)}
    assert "bank-nusantara-dev-secret" in found
    assert "dev-only-nik-encryption-key" in found
    assert "jembatan-dev" in found


def test_production_defines_no_secret_at_all(production) -> None:
    """Secrets by reference only: the pods name Secrets made outside the repository."""
    assert production.of_kind("Secret") == []
    for resource in production.all:
        for value in strings_in(resource):
            assert not value.startswith("-----BEGIN"), resource["metadata"]["name"]


def test_production_runs_outside_the_dev_environment(production) -> None:
    """Outside "dev" the services refuse their public dev-only defaults (shared/settings.py)."""
    assert production.config("platform")["ENVIRONMENT"] == "production"
    for workload in production.workloads():
        for container in production.containers(workload):
            for env in container.get("env", []):
                assert not (env["name"].endswith("_ENVIRONMENT") and env.get("value") == "dev")


def test_production_has_no_demo_user(production) -> None:
    realm = production.named("KeycloakRealmImport", "jembatan")["spec"]["realm"]
    for user in realm.get("users", []):
        assert user["username"] not in DEMO_LOGINS
        assert "serviceAccountClientId" in user, f"a person in the realm: {user['username']}"
        assert "credentials" not in user


@pytest.mark.parametrize("login", sorted(DEMO_LOGINS))
def test_the_local_overlay_keeps_the_demo_logins(local, login: str) -> None:
    realm = local.named("KeycloakRealmImport", "jembatan")["spec"]["realm"]
    assert login in {u["username"] for u in realm["users"]}
