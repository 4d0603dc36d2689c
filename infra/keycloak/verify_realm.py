"""Check a running Keycloak against the realm contract of docs/contract.md §4.

Run `python infra/keycloak/verify_realm.py` after `infra/keycloak/run.sh start`. It fetches
real tokens (client credentials for the service accounts, authorization code + PKCE through
the login form for people), checks the claims every service relies on, and checks what the
realm must refuse: the password grant, the implicit flow, a code request without PKCE, a
user editing their own region. Exit status 1 on any failure. Tokens are decoded, not
signature-checked: the services do that with the JWKS.

The token helpers live in `shared.oidc`, shared with the tests and the demo-data loader.
"""

from __future__ import annotations

import base64
import json
import os
import sys
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from shared.oidc import client_credentials, login_with_pkce, token_endpoint

BASE_URL = os.environ.get("KEYCLOAK_URL", "http://localhost:8180")
REALM = "jembatan"
# `--hostname` fixes the issuer, whatever address a request went to.
ISSUER = "http://localhost:8180/realms/jembatan"
AUDIENCE = "jembatan-api"
DEMO_PASSWORD = "jembatan-dev"  # noqa: S105 - the documented demo password (docs/contract.md §4)
CLI_REDIRECT = "http://127.0.0.1/callback"
PORTAL_REDIRECT = "http://localhost:8100/auth/callback"
PORTAL_SECRET = os.environ.get("OFFICER_PORTAL_CLIENT_SECRET", "officer-portal-dev-secret")

# client id -> (secret, realm role, partner_code)
SERVICE_ACCOUNTS: dict[str, tuple[str, str, str | None]] = {
    "ministry-integration": (
        os.environ.get("MINISTRY_INTEGRATION_CLIENT_SECRET", "ministry-dev-secret"),
        "ministry",
        None,
    ),
    "partner-bank-nusantara": (
        os.environ.get("PARTNER_BANK_NUSANTARA_CLIENT_SECRET", "bank-nusantara-dev-secret"),
        "partner",
        "bank-nusantara",
    ),
    "partner-dompet-rakyat": (
        os.environ.get("PARTNER_DOMPET_RAKYAT_CLIENT_SECRET", "dompet-rakyat-dev-secret"),
        "partner",
        "dompet-rakyat",
    ),
}
# username -> (realm role, region)
PEOPLE: dict[str, tuple[str, str | None]] = {
    "siti": ("officer", "3273"),
    "budi": ("officer", "3578"),
    "rina": ("supervisor", "32"),
    "admin": ("admin", None),
}
SHOWN_CLAIMS = ["iss", "aud", "typ", "azp", "sub", "preferred_username", "realm_access"]
SHOWN_CLAIMS += ["region", "partner_code", "scope"]

Claims = dict[str, Any]


def _redirect_error(response: httpx.Response) -> str | None:
    query = parse_qs(urlsplit(response.headers.get("location", "")).query)
    return query["error"][0] if "error" in query else None


def decode_claims(jwt: str) -> Claims:
    payload = jwt.split(".")[1]
    claims: Claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


class Checks:
    def __init__(self) -> None:
        self.failures: list[str] = []

    def that(self, condition: bool, what: str) -> None:
        print(f"  {'ok  ' if condition else 'FAIL'} {what}")
        if not condition:
            self.failures.append(what)

    def access_token(
        self, claims: Claims, azp: str, role: str, region: str | None, partner_code: str | None
    ) -> None:
        aud = claims.get("aud")
        roles = claims.get("realm_access", {}).get("roles", [])
        self.that(claims.get("iss") == ISSUER, f"iss is {ISSUER}")
        self.that(AUDIENCE in (aud if isinstance(aud, list) else [aud]), f"aud has {AUDIENCE}")
        self.that(claims.get("typ") == "Bearer", "typ is Bearer")
        self.that(claims.get("azp") == azp, f"azp is {azp}")
        self.that(bool(claims.get("sub")), "sub is present")
        self.that(bool(claims.get("preferred_username")), "preferred_username is present")
        self.that(role in roles, f"realm_access.roles contains {role}")
        if region is None:
            self.that("region" not in claims, "no region claim")
        else:
            self.that(claims.get("region") == region, f"region is the string {region!r}")
        if partner_code is None:
            self.that("partner_code" not in claims, "no partner_code claim")
        else:
            self.that(claims.get("partner_code") == partner_code, f"partner_code {partner_code!r}")


def show(label: str, claims: Claims) -> None:
    print(f"{label}:")
    print("  " + json.dumps({k: claims[k] for k in SHOWN_CLAIMS if k in claims}))


def check_service_accounts(check: Checks) -> None:
    for client_id, (secret, role, partner_code) in SERVICE_ACCOUNTS.items():
        token = client_credentials(BASE_URL, REALM, client_id, secret)["access_token"]
        claims = decode_claims(token)
        show(f"client credentials {client_id}", claims)
        check.access_token(claims, client_id, role, region=None, partner_code=partner_code)


def check_people(check: Checks) -> None:
    for username, (role, region) in PEOPLE.items():
        tokens = login_with_pkce(
            BASE_URL, REALM, "jembatan-cli", username, DEMO_PASSWORD, CLI_REDIRECT
        )
        claims = decode_claims(tokens["access_token"])
        show(f"authorization code + PKCE {username} via jembatan-cli", claims)
        check.access_token(claims, "jembatan-cli", role, region=region, partner_code=None)
        check.that(claims.get("preferred_username") == username, f"username is {username}")

    portal = ("officer-portal", "siti", DEMO_PASSWORD, PORTAL_REDIRECT)
    tokens = login_with_pkce(BASE_URL, REALM, *portal, client_secret=PORTAL_SECRET)
    claims = decode_claims(tokens["access_token"])
    show("authorization code + PKCE siti via officer-portal", claims)
    check.access_token(claims, "officer-portal", "officer", region="3273", partner_code=None)
    id_region = decode_claims(tokens["id_token"]).get("region")
    check.that(id_region == "3273", "the officer-portal id token carries region 3273 too")


def check_refusals(check: Checks) -> None:
    print("refusals:")
    for client_id, secret in (("jembatan-cli", None), ("officer-portal", PORTAL_SECRET)):
        form = {"grant_type": "password", "client_id": client_id}
        form |= {"username": "siti", "password": DEMO_PASSWORD}
        if secret:
            form["client_secret"] = secret
        answer = httpx.post(token_endpoint(BASE_URL, REALM), data=form, timeout=15)
        error = answer.json().get("error")
        check.that(
            answer.status_code == 400 and error == "unauthorized_client",
            f"password grant refused for {client_id} ({answer.status_code} {error})",
        )

    for client_id, redirect_uri in (
        ("jembatan-cli", CLI_REDIRECT),
        ("officer-portal", PORTAL_REDIRECT),
    ):
        params = {"client_id": client_id, "response_type": "code", "scope": "openid"}
        answer = httpx.get(
            f"{BASE_URL}/realms/{REALM}/protocol/openid-connect/auth",
            params=params | {"redirect_uri": redirect_uri},
            timeout=15,
        )
        check.that(
            _redirect_error(answer) == "invalid_request",
            f"code request without code_challenge refused for {client_id}",
        )

    siti = login_with_pkce(BASE_URL, REALM, "jembatan-cli", "siti", DEMO_PASSWORD, CLI_REDIRECT)
    account = f"{BASE_URL}/realms/{REALM}/account/"
    headers = {"Authorization": f"Bearer {siti['access_token']}", "Accept": "application/json"}
    profile = httpx.get(account, headers=headers, timeout=15).json()
    profile["attributes"] = {**profile.get("attributes", {}), "region": ["35"]}
    answer = httpx.post(account, headers=headers, json=profile, timeout=15)
    check.that(answer.status_code == 400, f"siti cannot set her own region ({answer.status_code})")


def check_clients(check: Checks) -> None:
    print("every client of the realm (admin API):")
    admin = httpx.post(
        token_endpoint(BASE_URL, "master"),
        data={
            "grant_type": "password",
            "client_id": "admin-cli",
            "username": os.environ.get("KC_BOOTSTRAP_ADMIN_USERNAME", "admin"),
            "password": os.environ.get("KC_BOOTSTRAP_ADMIN_PASSWORD", "admin"),
        },
        timeout=15,
    )
    admin.raise_for_status()
    clients = httpx.get(
        f"{BASE_URL}/admin/realms/{REALM}/clients",
        headers={"Authorization": f"Bearer {admin.json()['access_token']}"},
        timeout=15,
    ).json()
    grants = [c["clientId"] for c in clients if c.get("directAccessGrantsEnabled")]
    implicit = [c["clientId"] for c in clients if c.get("implicitFlowEnabled")]
    check.that(not grants, f"none of {len(clients)} clients allows the password grant {grants}")
    check.that(not implicit, f"none allows the implicit flow {implicit}")


def main() -> int:
    check = Checks()
    check_service_accounts(check)
    check_people(check)
    check_refusals(check)
    check_clients(check)
    if check.failures:
        print(f"FAILED: {len(check.failures)} check(s)")
        return 1
    print("realm jembatan: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
