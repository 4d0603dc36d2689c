"""The cluster's gateway routes what the local gateway routes (infra/gateway/envoy.yaml.in), to
the same service, with the same time limit, and checks a token everywhere the local one does."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def local_routes() -> list[dict[str, Any]]:
    text = (ROOT / "infra" / "gateway" / "envoy.yaml.in").read_text(encoding="utf-8")
    config = yaml.safe_load(re.sub(r"@[A-Z_]+@", "1", text))
    (listener,) = config["static_resources"]["listeners"]
    manager = listener["filter_chains"][0]["filters"][0]["typed_config"]
    (host,) = manager["route_config"]["virtual_hosts"]
    return [r for r in host["routes"] if "route" in r]


def rules(manifests) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(route name, match, rule) for every match of every HTTPRoute."""
    return [
        (route["metadata"]["name"], match, rule)
        for route in manifests.of_kind("HTTPRoute")
        for rule in route["spec"]["rules"]
        for match in rule.get("matches", [])
    ]


def test_every_local_route_has_its_httproute(manifests) -> None:
    routes = local_routes()
    assert len(routes) == 13
    for local in routes:
        match = local["match"]
        kind, value = (
            ("Exact", match["path"])
            if "path" in match
            else ("PathPrefix", match["path_separated_prefix"])
        )
        found = [
            rule for _, m, rule in rules(manifests) if m["path"] == {"type": kind, "value": value}
        ]
        assert len(found) == 1, f"{kind} {value}: {len(found)} rules"
        (backend,) = found[0]["backendRefs"]
        assert backend["name"] == f"{local['route']['cluster']}-api", value
        assert found[0]["timeouts"]["request"] == local["route"]["timeout"], value


def test_every_backend_is_a_rendered_service_port(manifests) -> None:
    ports = {
        s["metadata"]["name"]: {p["port"] for p in s["spec"]["ports"]}
        for s in manifests.of_kind("Service")
    }
    for route, _, rule in rules(manifests):
        for backend in rule["backendRefs"]:
            if backend["name"] != "keycloak-service":  # made by the Keycloak operator
                assert backend["port"] in ports[backend["name"]], (route, backend)


def test_only_the_public_paths_of_the_local_gateway_skip_the_token_check(manifests) -> None:
    (policy,) = manifests.of_kind("SecurityPolicy")
    checked = {t["name"] for t in policy["spec"]["targetRefs"]}
    api_routes = {
        r["metadata"]["name"]
        for r in manifests.of_kind("HTTPRoute")
        if any(p.get("sectionName") == "api" for p in r["spec"]["parentRefs"])
    }
    assert api_routes - checked == {"api-public"}
    public = [m["path"] for name, m, _ in rules(manifests) if name == "api-public"]
    assert all(p["value"].startswith(("/api/", "^/api/")) for p in public)
    assert {p["type"] for p in public} == {"Exact", "RegularExpression"}, "no prefix: no gaps"


def test_the_portal_reaches_the_apis_through_the_in_cluster_gateway(manifests) -> None:
    portal = manifests.config("portal-config")
    (proxy,) = manifests.of_kind("EnvoyProxy")
    service = proxy["spec"]["provider"]["kubernetes"]["envoyService"]["name"]
    # HTTPS where the in-cluster listener has a certificate (components/service-tls).
    scheme = "https" if manifests.overlay == "production" else "http"
    assert portal["PORTAL_GATEWAY_URL"].startswith(f"{scheme}://{service}.")
    for route in manifests.of_kind("HTTPRoute"):
        parents = {p["name"] for p in route["spec"]["parentRefs"]}
        api = any(p.get("sectionName") == "api" for p in route["spec"]["parentRefs"])
        assert ("jembatan-internal" in parents) == api, route["metadata"]["name"]
