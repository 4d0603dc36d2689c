"""Every protected operation refuses every kind of bad token with 401, at the gateway and at
the service itself (docs/contract.md §4: neither trusts the other to have checked).

The bad tokens differ from a good one in one property each. To make that so, the test adds
an RSA key of its own to the realm (passive: Keycloak publishes it in its JWKS but never signs
with it) and mints its tokens with it; the same minting with every claim right must open the
API (the control), so a 401 below is the one broken property's doing, not an unknown key's.
The key is removed afterwards.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from support import matrix, report, stack

pytestmark = pytest.mark.integration

SERVICES = tuple(stack.SERVICE_PORTS)
# One call per service that siti may make, for the control token.
ALLOWED = {
    "client": "/api/clients",
    "referral": "/api/partners",
    "training": "/api/training/sessions",
    "notify": "/api/notifications/templates",
    "indicators": "/api/indicators/my-region?period=2026-11",
}
KINDS = (
    "missing",
    "garbage",
    "expired",
    "not-yet-valid",
    "other-issuer",
    "other-audience",
    "no-audience",
    "other-key",
    "unknown-key",
    "alg-none",
    "hs256-with-the-public-key",
    "tampered-claims",
    "id-token",
)
negative = report.Requests()  # the bad-token requests, and those refused as they must be


@report.at_end
def _negative_tokens() -> str | None:
    if not negative.sent or not negative.planned:
        return None
    operations = negative.planned // (len(KINDS) * 2)
    outcome = (
        "every one 401"
        if negative.as_expected == negative.sent == negative.planned
        else f"{negative.as_expected} refused as they must be, of {negative.planned} planned"
    )
    return (
        f"negative tokens: {len(KINDS)} kinds x {operations} protected operations x "
        f"(gateway, service) = {negative.sent} requests, {outcome}"
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def realm_key() -> Iterator[tuple[rsa.RSAPrivateKey, str]]:
    """A passive RS256 key of the test's own in the realm's JWKS, and its key id."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    admin = stack.keycloak_admin()
    realm_id = admin.get_realm(stack.REALM)["id"]
    name = f"security-test-{uuid.uuid4().hex[:8]}"
    component_id = admin.create_component(
        {
            "name": name,
            "providerId": "rsa",
            "providerType": "org.keycloak.keys.KeyProvider",
            "parentId": realm_id,
            "config": {
                "privateKey": [pem],
                "priority": ["1"],
                "enabled": ["true"],
                "active": ["false"],
                "algorithm": ["RS256"],
            },
        }
    )
    try:
        modulus = _b64(key.public_key().public_numbers().n.to_bytes(256, "big"))
        certs = httpx.get(f"{stack.ISSUER}/protocol/openid-connect/certs").json()["keys"]
        kid = next(k["kid"] for k in certs if k.get("n") == modulus)
        # Envoy keeps the JWKS for five minutes: a restart makes it fetch the new key now.
        stack.run_infra("gateway/run.sh", "stop")
        stack.run_infra("gateway/run.sh", "start")
        yield key, kid
    finally:
        admin.delete_component(component_id)
        stack.run_infra("gateway/run.sh", "stop")
        stack.run_infra("gateway/run.sh", "start")


@pytest.fixture(scope="module")
def good_claims(tokens: dict[str, str]) -> dict[str, Any]:
    """siti's real claims, freshly dated."""
    claims = jwt.decode(tokens["siti"], options={"verify_signature": False})
    now = int(time.time())
    return {**claims, "iat": now, "exp": now + 600, "jti": str(uuid.uuid4())}


def _mint(claims: dict[str, Any], key: rsa.RSAPrivateKey, kid: str) -> str:
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid, "typ": "JWT"})


@pytest.fixture(scope="module")
def bad_tokens(
    realm_key: tuple[rsa.RSAPrivateKey, str], good_claims: dict[str, Any]
) -> dict[str, str | None]:
    key, kid = realm_key
    now = int(time.time())
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    good = _mint(good_claims, key, kid)
    header, _, signature = good.split(".")
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    hs_head = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
    hs_body = _b64(json.dumps(good_claims).encode())
    hs_mac = hmac.new(public_pem, f"{hs_head}.{hs_body}".encode(), hashlib.sha256).digest()
    without_audience = {k: v for k, v in good_claims.items() if k != "aud"}
    return {
        "missing": None,
        "garbage": "not-a-token",
        "expired": _mint({**good_claims, "iat": now - 900, "exp": now - 120}, key, kid),
        "not-yet-valid": _mint({**good_claims, "nbf": now + 600}, key, kid),
        "other-issuer": _mint({**good_claims, "iss": f"{stack.KEYCLOAK}/realms/master"}, key, kid),
        "other-audience": _mint({**good_claims, "aud": "account"}, key, kid),
        "no-audience": _mint(without_audience, key, kid),
        "other-key": _mint(good_claims, stranger, kid),
        "unknown-key": _mint(good_claims, stranger, "not-a-key-of-the-realm"),
        "alg-none": f"{_b64(json.dumps({'alg': 'none', 'kid': kid}).encode())}.{hs_body}.",
        "hs256-with-the-public-key": f"{hs_head}.{hs_body}.{_b64(hs_mac)}",
        "tampered-claims": (
            f"{header}.{_b64(json.dumps({**good_claims, 'region': '35'}).encode())}.{signature}"
        ),
        "id-token": _mint({**good_claims, "typ": "ID"}, key, kid),
    }


@pytest.fixture(scope="module")
def protected(gateway: httpx.Client) -> list[tuple[str, str, str]]:
    """(service, method, path) of every operation whose OpenAPI document asks for a token."""
    found = []
    for service in SERVICES:
        document = gateway.get(f"/api/{service}/openapi.json").json()
        for path, item in document["paths"].items():
            for method, operation in item.items():
                if operation.get("security"):
                    found.append((service, method.upper(), path))
    return found


def _concrete(path: str) -> str:
    """A path template with made-up values: the token is refused before anything is looked up."""

    def value(name: str) -> str:
        if name == "participant":
            return f"client:{uuid.uuid4()}"
        return str(uuid.uuid4()) if name.endswith("id") else "x"

    parts = [value(p[1:-1]) if p.startswith("{") else p for p in path.split("/")]
    return "/".join(parts)


def _problem(answer: httpx.Response, token: str | None) -> int | str | None:
    """What is wrong with the answer to a bad token: None when it is a 401, as problem+json,
    that does not echo the token."""
    if answer.status_code != 401:
        return answer.status_code
    if not answer.headers["content-type"].startswith("application/problem+json"):
        return "not problem+json"
    if token and token in answer.text:
        return "token echoed"
    return None


def _headers(token: str | None) -> dict[str, str]:
    return {} if token is None else {"Authorization": f"Bearer {token}"}


def test_every_operation_the_matrix_protects_asks_for_a_token_in_its_openapi(
    protected: list[tuple[str, str, str]],
) -> None:
    authz = yaml.safe_load((Path(__file__).parent / "authz_matrix.yaml").read_text())
    assert {f"{method} {path}" for _, method, path in protected} == matrix.token_guarded(authz)


def test_every_kind_of_bad_token_is_made_and_every_service_has_operations_to_try(
    bad_tokens: dict[str, str | None], protected: list[tuple[str, str, str]]
) -> None:
    assert set(bad_tokens) == set(KINDS)
    assert len(set(KINDS)) == len(KINDS)
    assert {service for service, _, _ in protected} == set(SERVICES)


def test_a_token_minted_with_the_test_key_and_every_claim_right_opens_the_api(
    realm_key: tuple[rsa.RSAPrivateKey, str], good_claims: dict[str, Any], gateway: httpx.Client
) -> None:
    control = _headers(_mint(good_claims, *realm_key))
    for service, path in ALLOWED.items():
        # The restarted gateway fetches the key set on its first requests.
        through_gateway = stack.eventually(
            lambda path=path: (
                answer
                if (answer := gateway.get(path, headers=control)).status_code == 200
                else None
            ),
            timeout_s=30,
        )
        assert through_gateway.status_code == 200, (service, through_gateway.text)
        port = stack.SERVICE_PORTS[service]
        direct = stack.eventually(  # a service fetches the new key at most every 10 s
            lambda port=port, path=path: (
                answer
                if (
                    answer := httpx.get(f"http://127.0.0.1:{port}{path}", headers=control)
                ).status_code
                == 200
                else None
            ),
            timeout_s=30,
        )
        assert direct.status_code == 200


@pytest.mark.parametrize("kind", KINDS)
def test_a_bad_token_is_refused_by_every_protected_operation(
    kind: str,
    bad_tokens: dict[str, str | None],
    protected: list[tuple[str, str, str]],
    gateway: httpx.Client,
) -> None:
    token = bad_tokens[kind]
    headers = _headers(token)
    negative.planned = len(KINDS) * len(protected) * 2
    wrong = []
    for service, method, template in protected:
        path = _concrete(template)
        body = None if method in ("GET", "DELETE") else {}
        for where, answer in (
            ("gateway", gateway.request(method, path, headers=headers, json=body)),
            (
                service,
                httpx.request(
                    method,
                    f"http://127.0.0.1:{stack.SERVICE_PORTS[service]}{path}",
                    headers=headers,
                    json=body,
                    timeout=10,
                ),
            ),
        ):
            problem = _problem(answer, token)
            negative.answered(as_expected=problem is None)
            if problem is not None:
                wrong.append((where, method, template, problem))
    assert not wrong, wrong
