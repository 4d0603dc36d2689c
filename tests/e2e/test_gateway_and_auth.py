"""The gateway and every service refuse bad tokens; a good one passes (docs/contract.md §4)."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from support import stack

pytestmark = pytest.mark.integration


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _claims(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def expired_token() -> str:
    """A real Keycloak token, right in every way but expired (a client with a 1 s lifespan)."""
    token = stack.throwaway_token(with_api_audience=True, lifespan_s=1)
    time.sleep(12)  # past the lifespan and the 10 s clock skew that both checkers allow
    return token


def _bad_tokens(good: str, expired: str) -> dict[str, str]:
    header, body, signature = good.split(".")
    claims = _claims(good)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = jwt.get_unverified_header(good)["kid"]
    return {
        "expired": expired,
        "other-key": jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": kid}),
        "other-issuer": jwt.encode(
            {**claims, "iss": "http://localhost:8180/realms/master"},
            other_key,
            algorithm="RS256",
            headers={"kid": kid},
        ),
        "alg-none": f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{body}.",
        "tampered": f"{header}.{_b64({**claims, 'region': '35'})}.{signature}",
        "garbage": "not-a-token",
    }


def test_without_a_token_the_gateway_answers_401(gateway: httpx.Client) -> None:
    response = gateway.get("/api/clients")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers.get("x-request-id")


def test_an_officer_token_is_let_through(gateway: httpx.Client, tokens: dict[str, str]) -> None:
    response = gateway.get("/api/clients", headers=_bearer(tokens["siti"]))
    assert response.status_code == 200, response.text
    assert "items" in response.json()
    assert response.headers.get("x-request-id")


def test_the_token_has_the_claims_the_services_rely_on(tokens: dict[str, str]) -> None:
    siti = _claims(tokens["siti"])
    assert siti["iss"] == stack.ISSUER
    assert "jembatan-api" in siti["aud"]
    assert siti["region"] == "3273" and "officer" in siti["realm_access"]["roles"]
    assert _claims(tokens["bank-nusantara"])["partner_code"] == "bank-nusantara"


@pytest.mark.parametrize(
    "kind", ["expired", "other-key", "other-issuer", "alg-none", "tampered", "garbage"]
)
def test_bad_tokens_are_refused_by_the_gateway_and_by_the_service(
    kind: str, gateway: httpx.Client, tokens: dict[str, str], expired_token: str
) -> None:
    token = _bad_tokens(tokens["siti"], expired_token)[kind]
    through_gateway = gateway.get("/api/clients", headers=_bearer(token))
    assert through_gateway.status_code == 401, through_gateway.text
    someone = "00000000-0000-4000-8000-000000000000"
    protected = {
        "client": "/api/clients",
        "referral": f"/api/referrals?client_id={someone}",
        "training": "/api/training/sessions",
        "notify": f"/api/notifications?client_id={someone}",
        "indicators": "/api/ministry/indicators?period=2026-11",
    }
    assert set(protected) == set(stack.SERVICE_PORTS)  # every service is asked
    for service, port in stack.SERVICE_PORTS.items():
        direct = httpx.get(
            f"http://127.0.0.1:{port}{protected[service]}", headers=_bearer(token), timeout=10
        )
        assert direct.status_code == 401, (service, direct.text)


def test_a_token_for_another_audience_is_refused(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    """A valid token of this realm issued for another audience opens no API."""
    account_token = stack.throwaway_token(with_api_audience=False)
    assert "jembatan-api" not in (_claims(account_token).get("aud") or [])
    # Envoy answers an audience mismatch with 403; the gateway maps it to 401 like the rest.
    assert gateway.get("/api/clients", headers=_bearer(account_token)).status_code == 401
    direct = httpx.get("http://127.0.0.1:8101/api/clients", headers=_bearer(account_token))
    assert direct.status_code == 401


def test_roles_without_business_with_people_are_forbidden(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    for who in ("ministry", "bank-nusantara", "admin"):
        response = gateway.get("/api/clients", headers=_bearer(tokens[who]))
        assert response.status_code == 403, (who, response.text)


def test_each_service_publishes_its_openapi_through_the_gateway(gateway: httpx.Client) -> None:
    for service in ("client", "referral", "training", "notify"):
        response = gateway.get(f"/api/{service}/openapi.json")
        assert response.status_code == 200, service
        assert response.json()["openapi"].startswith("3.")


def test_unknown_paths_answer_404_problem(gateway: httpx.Client) -> None:
    response = gateway.get("/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
