"""Every overlay renders, and every resource in it is valid, offline.

Kubernetes' own kinds are checked by kubernetes-validate against the schemas it bundles for one
Kubernetes version, strictly (an unknown field fails). Operators' kinds are checked with
jsonschema against the schemas stored in deploy/k8s/schemas, each taken from its project's CRD
at a recorded version (deploy/k8s/schemas/SOURCES.md).
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "deploy" / "k8s" / "schemas"
# The Kubernetes minor the manifests target: the pinned kubectl's (tools/kubectl/install.sh).
KUBERNETES_VERSION = "1.35.0"


# The API groups of operators' CRDs: one folder each. A kind of any other group goes to
# kubernetes-validate, which fails on what it does not know.
CUSTOM_GROUPS = frozenset(p.name for p in SCHEMAS.iterdir() if p.is_dir())


def is_custom(resource: dict[str, Any]) -> bool:
    return resource["apiVersion"].rpartition("/")[0] in CUSTOM_GROUPS


@cache
def stored_schema(api_version: str, kind: str) -> dict[str, Any]:
    group, _, version = api_version.rpartition("/")
    path = SCHEMAS / group / f"{kind}_{version}.json"
    assert path.exists(), f"no stored schema for {api_version} {kind}: expected {path}"
    schema = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def core_errors(resource: dict[str, Any]) -> str | None:
    try:
        kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as exc:
        return f"{'.'.join(map(str, exc.path))}: {exc.message}"
    except kubernetes_validate.SchemaNotFoundError as exc:
        return exc.message
    return None


def custom_errors(resource: dict[str, Any]) -> str | None:
    schema = stored_schema(resource["apiVersion"], resource["kind"])
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(schema).iter_errors(resource)
    )
    return None if error is None else f"{'.'.join(map(str, error.path))}: {error.message}"


def errors(resource: dict[str, Any]) -> str | None:
    return custom_errors(resource) if is_custom(resource) else core_errors(resource)


def describe(resource: dict[str, Any]) -> str:
    return f"{resource['kind']}/{resource['metadata']['name']}"


def test_every_overlay_renders_to_named_resources(manifests) -> None:
    assert len(manifests.all) > 50
    for resource in manifests.all:
        assert resource.get("apiVersion") and resource.get("kind"), resource
        assert resource["metadata"].get("name"), resource


def test_kubernetes_kinds_are_valid_for_the_pinned_version_strictly(manifests) -> None:
    core = [r for r in manifests.all if not is_custom(r)]
    assert {"Deployment", "Job", "Service", "NetworkPolicy"} <= {r["kind"] for r in core}
    failures = {describe(r): e for r in core if (e := core_errors(r))}
    assert not failures, failures


def test_operator_kinds_are_valid_for_their_stored_schemas(manifests) -> None:
    custom = [r for r in manifests.all if is_custom(r)]
    assert {"Kafka", "KafkaTopic", "KafkaUser", "Cluster", "Keycloak", "HTTPRoute"} <= {
        r["kind"] for r in custom
    }
    failures = {describe(r): e for r in custom if (e := custom_errors(r))}
    assert not failures, failures


def test_production_uses_every_operator_kind_that_has_a_stored_schema(production) -> None:
    """A stored schema nothing renders against would be a check that checks nothing."""
    stored = {(p.parent.name, p.stem) for p in SCHEMAS.glob("*/*.json")}
    used = {
        (r["apiVersion"].rpartition("/")[0], f"{r['kind']}_{r['apiVersion'].rpartition('/')[2]}")
        for r in production.all
        if is_custom(r)
    }
    assert stored == used


@pytest.mark.parametrize(
    ("kind", "misspelling"),
    [
        ("Deployment", ("spec", "replica")),
        ("NetworkPolicy", ("spec", "policyType")),
        ("HorizontalPodAutoscaler", ("spec", "maxReplica")),
        ("KafkaTopic", ("spec", "partition")),
        ("KafkaUser", ("spec", "authorisation")),
        ("ScaledObject", ("spec", "maxReplicas")),
        ("Cluster", ("spec", "instance")),
        ("Keycloak", ("spec", "hostnames")),
        ("HTTPRoute", ("spec", "rule")),
        ("SecurityPolicy", ("spec", "jwts")),
    ],
)
def test_a_misspelt_field_fails_validation(production, kind: str, misspelling: tuple) -> None:
    resource = copy.deepcopy(production.of_kind(kind)[0])
    assert errors(resource) is None
    *parents, field = misspelling
    node = resource
    for key in parents:
        node = node[key]
    node[field] = 2
    assert errors(resource) is not None, f"{kind}: {'.'.join(misspelling)} was accepted"


def test_a_misspelt_field_deep_in_a_container_fails_validation(production) -> None:
    deployment = copy.deepcopy(production.named("Deployment", "client-api"))
    deployment["spec"]["template"]["spec"]["containers"][0]["securityContext"][
        "readOnlyRootFileSystem"
    ] = True
    assert "readOnlyRootFileSystem" in (core_errors(deployment) or "")


def test_a_realm_field_keycloak_does_not_know_fails_validation(production) -> None:
    realm_import = copy.deepcopy(production.named("KeycloakRealmImport", "jembatan"))
    realm_import["spec"]["realm"]["clients"][0]["redirectUri"] = ["https://x.example/*"]
    assert custom_errors(realm_import) is not None


def test_a_kind_without_any_schema_is_not_silently_accepted() -> None:
    unknown = {"apiVersion": "apps/v1", "kind": "Deploymnet", "metadata": {"name": "x"}}
    with pytest.raises(kubernetes_validate.SchemaNotFoundError):
        kubernetes_validate.validate(unknown, KUBERNETES_VERSION, strict=True)
    with pytest.raises(AssertionError, match="no stored schema"):
        custom_errors({"apiVersion": "kafka.strimzi.io/v1", "kind": "KafkaBridge"})


def test_every_stored_schema_names_its_source_and_version() -> None:
    sources = (SCHEMAS / "SOURCES.md").read_text(encoding="utf-8")
    for path in sorted(SCHEMAS.glob("*/*.json")):
        comment = json.loads(path.read_text(encoding="utf-8"))["$comment"]
        source = re.search(r" from (\S+/\S+)@(\S+?):(\S+) ", comment)
        assert source, f"{path.name}: no 'owner/repo@version:path' in $comment"
        assert f"{path.parent.name}/{path.name}" in sources, f"{path.name} missing in SOURCES.md"
        assert f"{source[1]}" in sources and source[2] in sources


def test_every_component_is_documented_and_used() -> None:
    components = sorted(p for p in (ROOT / "deploy" / "k8s" / "components").iterdir() if p.is_dir())
    production = (
        ROOT / "deploy" / "k8s" / "overlays" / "production" / "kustomization.yaml"
    ).read_text()
    for component in components:
        assert (component / "README.md").exists(), f"{component.name} has no README.md"
        assert f"../../components/{component.name}\n" in production, component.name
