"""Renders deploy/k8s's overlays with the pinned kubectl, once per session, for the tests here.

No cluster is needed: `kubectl kustomize` builds the manifests offline. kubectl comes from
`tools/kubectl/install.sh` (run by `make install`); without it these tests fail, never skip.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ("local", "production")
KUBECTL = Path(os.environ.get("KUBECTL", ROOT / ".cache" / "tools" / "kubectl" / "kubectl"))

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod")


class Manifests:
    """The resources one overlay renders to, with the look-ups the tests share."""

    def __init__(self, overlay: str, documents: list[dict[str, Any]]) -> None:
        self.overlay = overlay
        self.all = documents

    def __repr__(self) -> str:
        return f"Manifests({self.overlay!r})"

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        return [d for d in self.all if d["kind"] == kind]

    def named(self, kind: str, name: str) -> dict[str, Any]:
        found = [d for d in self.of_kind(kind) if d["metadata"]["name"] == name]
        assert len(found) == 1, f"{self.overlay}: expected one {kind} {name}, found {len(found)}"
        return found[0]

    def config(self, name: str) -> dict[str, str]:
        """The data of a generated ConfigMap (its name carries a hash suffix)."""
        (found,) = [
            c["data"]
            for c in self.of_kind("ConfigMap")
            if re.fullmatch(rf"{name}-[a-z0-9]{{10}}", c["metadata"]["name"])
        ]
        return found

    def workloads(self) -> list[dict[str, Any]]:
        return [d for d in self.all if d["kind"] in WORKLOAD_KINDS]

    def by_component(self, component: str) -> list[dict[str, Any]]:
        return [
            d
            for d in self.of_kind("Deployment")
            if d["metadata"].get("labels", {}).get("app.kubernetes.io/component") == component
        ]

    @staticmethod
    def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
        if workload["kind"] == "Pod":
            return workload["spec"]
        if workload["kind"] == "CronJob":
            return workload["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        return workload["spec"]["template"]["spec"]

    @classmethod
    def containers(cls, workload: dict[str, Any]) -> list[dict[str, Any]]:
        spec = cls.pod_spec(workload)
        return [*spec.get("initContainers", []), *spec["containers"]]


def render(overlay: str) -> list[dict[str, Any]]:
    if not KUBECTL.exists():
        pytest.fail(f"{KUBECTL} is missing: run `make install` (tools/kubectl/install.sh)")
    result = subprocess.run(
        [str(KUBECTL), "kustomize", str(K8S / "overlays" / overlay)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"kubectl kustomize overlays/{overlay}:\n{result.stderr}"
    return [d for d in yaml.safe_load_all(result.stdout) if d]


@pytest.fixture(scope="session")
def rendered() -> dict[str, Manifests]:
    return {overlay: Manifests(overlay, render(overlay)) for overlay in OVERLAYS}


@pytest.fixture(params=OVERLAYS)
def manifests(request: pytest.FixtureRequest, rendered: dict[str, Manifests]) -> Manifests:
    """Each overlay in turn."""
    return rendered[request.param]


@pytest.fixture(scope="session")
def production(rendered: dict[str, Manifests]) -> Manifests:
    return rendered["production"]


@pytest.fixture(scope="session")
def local(rendered: dict[str, Manifests]) -> Manifests:
    return rendered["local"]


@pytest.fixture(scope="session")
def asyncapi() -> dict[str, Any]:
    # The document is JSON (generated), which YAML reads as well.
    return json.loads((ROOT / "docs" / "asyncapi.yaml").read_text(encoding="utf-8"))
