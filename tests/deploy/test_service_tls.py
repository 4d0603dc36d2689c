"""Service-to-service TLS in production (components/service-tls): every API serves HTTPS with a
certificate of the private CA for its own Service, the gateways and the two in-cluster callers
check it, and every in-cluster URL is https but the plain-HTTP ones the README names."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

TLS_DIR = "/etc/jembatan-tls"
URL = re.compile(r"\b(https?)://([A-Za-z0-9.-]+)")
# The in-cluster hops still in plain HTTP, each with its reason in the component's README:
# Keycloak inside the cluster (keys and the portal's token calls) and the OpenTelemetry
# collector and its backend (no personal values by design).
PLAIN_HTTP_HOSTS = {
    "keycloak-service",
    "keycloak-service.jembatan.svc.cluster.local",
    "otel-collector",
    "otel-backend.observability.svc.cluster.local",
}


def in_cluster(host: str) -> bool:
    return "." not in host or ".svc" in host


def strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


def certificates(manifests) -> dict[str, dict[str, Any]]:
    """Secret name -> the Certificate that fills it."""
    return {c["spec"]["secretName"]: c for c in manifests.of_kind("Certificate")}


def ca_issuer(manifests) -> str:
    """The Issuer that signs with the private CA, checked to be that CA."""
    (issuer,) = [i for i in manifests.of_kind("Issuer") if "ca" in i["spec"]]
    ca = certificates(manifests)[issuer["spec"]["ca"]["secretName"]]
    assert ca["spec"]["isCA"] is True
    (root,) = [i for i in manifests.of_kind("Issuer") if "selfSigned" in i["spec"]]
    assert ca["spec"]["issuerRef"]["name"] == root["metadata"]["name"]
    name: str = issuer["metadata"]["name"]
    return name


def service_names(service: str) -> set[str]:
    return {service, f"{service}.jembatan.svc.cluster.local"}


def test_every_api_serves_tls_with_a_certificate_of_the_ca_for_its_own_service(
    production,
) -> None:
    issuer = ca_issuer(production)
    by_secret = certificates(production)
    apis = production.by_component("api")
    assert len(apis) == 6
    for api in apis:
        name = api["metadata"]["name"]
        spec = production.pod_spec(api)
        (container,) = spec["containers"]
        assert f"--ssl-keyfile={TLS_DIR}/tls.key" in container["command"], name
        assert f"--ssl-certfile={TLS_DIR}/tls.crt" in container["command"], name
        (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == TLS_DIR]
        (volume,) = [v for v in spec["volumes"] if v["name"] == mount["name"]]
        certificate = by_secret[volume["secret"]["secretName"]]["spec"]
        assert certificate["issuerRef"]["name"] == issuer, name
        assert "server auth" in certificate["usages"], name
        # The Service in front of this Deployment is the name callers use.
        (service,) = [
            s
            for s in production.of_kind("Service")
            if s["spec"].get("selector", {}).get("app") == name
        ]
        assert service_names(service["metadata"]["name"]) <= set(certificate["dnsNames"]), name
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            assert container[probe]["httpGet"]["scheme"] == "HTTPS", (name, probe)


def test_certificates_are_renewed_in_time_and_keys_replaced(production) -> None:
    for certificate in production.of_kind("Certificate"):
        spec = certificate["spec"]
        hours = int(spec["duration"].removesuffix("h"))
        renew = int(spec["renewBefore"].removesuffix("h"))
        assert 0 < renew < hours, certificate["metadata"]["name"]
        assert spec["privateKey"]["rotationPolicy"] == "Always"


def test_the_gateways_reach_every_api_over_tls_checked_against_the_ca(production) -> None:
    issuer = ca_issuer(production)
    by_secret = certificates(production)
    policies = {
        ref["name"]: p
        for p in production.of_kind("BackendTLSPolicy")
        for ref in p["spec"]["targetRefs"]
        if ref["kind"] == "Service"
    }
    backends = {
        backend["name"]
        for route in production.of_kind("HTTPRoute")
        for rule in route["spec"]["rules"]
        for backend in rule.get("backendRefs", [])
    }
    apis = {s["metadata"]["name"] for s in production.of_kind("Service")}
    assert backends - {"keycloak-service"} <= apis
    for service in backends - {"keycloak-service"}:
        validation = policies[service]["spec"]["validation"]
        served = next(
            c["spec"] for c in by_secret.values() if service in c["spec"].get("dnsNames", [])
        )
        assert validation["hostname"] in served["dnsNames"], service
        (ca,) = validation["caCertificateRefs"]
        assert ca["kind"] == "Secret"
        # cert-manager writes the CA as ca.crt into every certificate it signs with it.
        assert by_secret[ca["name"]]["spec"]["issuerRef"]["name"] == issuer, service


def test_the_portal_calls_the_in_cluster_gateway_over_https_and_may_reach_it(
    production,
) -> None:
    gateway = production.named("Gateway", "jembatan-internal")
    (listener,) = gateway["spec"]["listeners"]
    assert (listener["protocol"], listener["port"]) == ("HTTPS", 443)
    (secret,) = listener["tls"]["certificateRefs"]
    host = URL.match(production.config("portal-config")["PORTAL_GATEWAY_URL"])
    assert host and host[1] == "https"
    assert host[2] in certificates(production)[secret["name"]]["spec"]["dnsNames"]
    # Envoy Gateway's proxies listen on 10443 for port 443.
    portal = production.named("NetworkPolicy", "portal")
    ports = {p["port"] for rule in portal["spec"]["egress"] for p in rule["ports"]}
    assert 10443 in ports and 10080 not in ports


@pytest.mark.parametrize("caller", ["referral-api", "portal-api"])
def test_the_callers_inside_the_cluster_trust_the_private_ca(production, caller: str) -> None:
    (container,) = production.pod_spec(production.named("Deployment", caller))["containers"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["SSL_CERT_FILE"] == f"{TLS_DIR}/ca.crt"
    assert any(m["mountPath"] == TLS_DIR for m in container["volumeMounts"])


def test_every_in_cluster_url_is_https_but_the_plain_hops_the_readme_names(production) -> None:
    found: dict[str, set[str]] = {"http": set(), "https": set()}
    for resource in production.all:
        for text in strings({k: v for k, v in resource.items() if k != "metadata"}):
            for scheme, host in URL.findall(text):
                if in_cluster(host):
                    found[scheme].add(host)
    assert found["http"] <= PLAIN_HTTP_HOSTS
    assert {"client-api", "jembatan-internal.envoy-gateway-system.svc.cluster.local"} <= found[
        "https"
    ]
    assert production.config("referral-config")["REFERRAL_CLIENT_SERVICE_URL"].startswith(
        "https://client-api:"
    )


def test_the_local_overlay_stays_on_plain_http(local) -> None:
    assert not local.of_kind("Certificate") and not local.of_kind("BackendTLSPolicy")
    for api in local.by_component("api"):
        (container,) = local.pod_spec(api)["containers"]
        assert not any(arg.startswith("--ssl") for arg in container["command"])
    assert local.config("referral-config")["REFERRAL_CLIENT_SERVICE_URL"].startswith("http://")
