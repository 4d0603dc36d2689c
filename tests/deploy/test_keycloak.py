"""The realm the cluster imports stays the local stack's (infra/keycloak/realm-jembatan.json):
production gets it without a single person in it, the local overlay with the demo people."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PORTAL_URL_FIELDS = ("rootUrl", "redirectUris")


def local_stack_realm() -> dict[str, Any]:
    return json.loads((ROOT / "infra" / "keycloak" / "realm-jembatan.json").read_text())


def without_portal_urls(realm: dict[str, Any]) -> dict[str, Any]:
    """The realm with the portal client's URLs blanked: they name each environment's host."""
    realm = copy.deepcopy(realm)
    for client in realm["clients"]:
        if client["clientId"] == "officer-portal":
            for name in PORTAL_URL_FIELDS:
                client[name] = None
            client["attributes"]["post.logout.redirect.uris"] = None
    return realm


def imported_realm(manifests) -> dict[str, Any]:
    return manifests.named("KeycloakRealmImport", "jembatan")["spec"]["realm"]


def test_production_imports_the_local_stack_realm_without_its_people(production) -> None:
    expected = local_stack_realm()
    expected["users"] = [u for u in expected["users"] if "serviceAccountClientId" in u]
    assert without_portal_urls(imported_realm(production)) == without_portal_urls(expected)


def test_the_local_overlay_imports_the_demo_realm_of_make_up(local) -> None:
    assert without_portal_urls(imported_realm(local)) == without_portal_urls(local_stack_realm())


def test_the_portal_may_redirect_only_to_its_own_public_host(manifests) -> None:
    portal_url = manifests.config("portal-config")["PORTAL_PUBLIC_URL"]
    (client,) = [
        c for c in imported_realm(manifests)["clients"] if c["clientId"] == "officer-portal"
    ]
    assert client["rootUrl"] == portal_url
    assert client["redirectUris"] == [f"{portal_url}/*"]


def test_every_client_secret_is_a_placeholder_filled_from_a_secret(manifests) -> None:
    realm_import = manifests.named("KeycloakRealmImport", "jembatan")
    placeholders = realm_import["spec"]["placeholders"]
    secrets = [c["secret"] for c in imported_realm(manifests)["clients"] if "secret" in c]
    assert len(secrets) == 4
    for secret in secrets:
        name = re.fullmatch(r"\$\{([A-Z_]+)\}", secret)
        assert name, f"a literal client secret in the realm: {secret[:4]}..."
        assert placeholders[name[1]]["secret"]["name"] == "keycloak-client-secrets"


def test_tokens_name_the_issuer_the_services_and_the_gateway_expect(manifests) -> None:
    (keycloak,) = manifests.of_kind("Keycloak")
    issuer = f"{keycloak['spec']['hostname']['hostname']}/realms/jembatan"
    platform = manifests.config("platform")
    assert platform["OIDC_ISSUER"] == issuer
    assert platform["OIDC_AUDIENCE"] == "jembatan-api"
    (policy,) = manifests.of_kind("SecurityPolicy")
    (provider,) = policy["spec"]["jwt"]["providers"]
    assert provider["issuer"] == issuer
    assert provider["audiences"] == ["jembatan-api"]
