"""The realm the cluster imports stays the local stack's (infra/keycloak/realm-jembatan.json):
production gets it without a single person in it and with its production identity (lockout,
password policy, one-time codes for whoever can reveal a NIK, no public CLI client and no
offline tokens), the local overlay with the demo people and nothing else changed.

tests/integration/test_production_realm.py imports the rendered production realm into the
local Keycloak and shows these settings at work."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PORTAL_URL_FIELDS = ("rootUrl", "redirectUris")
# What overlays/production/realm-identity.yaml sets on the realm (checked one by one below).
IDENTITY_SETTINGS = (
    "bruteForceProtected",
    "permanentLockout",
    "maxTemporaryLockouts",
    "failureFactor",
    "waitIncrementSeconds",
    "maxFailureWaitSeconds",
    "maxDeltaTimeSeconds",
    "quickLoginCheckMilliSeconds",
    "minimumQuickLoginWaitSeconds",
    "passwordPolicy",
    "otpPolicyType",
    "otpPolicyAlgorithm",
    "otpPolicyDigits",
    "otpPolicyPeriod",
    "otpPolicyLookAheadWindow",
    "otpPolicyCodeReusable",
    "browserFlow",
    "authenticatorConfig",
    "authenticationFlows",
)
# Whoever holds one of these may reveal a NIK (docs/contract.md §4 and the client service's routes).
NIK_ROLES = ("officer", "supervisor", "admin")


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


def realm_role_closure(realm: dict[str, Any], name: str) -> set[str]:
    """The realm role and every realm role it holds through composites."""
    roles = {r["name"]: r for r in realm["roles"]["realm"]}
    held, todo = set(), [name]
    while todo:
        role = todo.pop()
        if role not in held:
            held.add(role)
            todo.extend(roles[role].get("composites", {}).get("realm", []))
    return held


def flows(realm: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {flow["alias"]: flow for flow in realm["authenticationFlows"]}


def test_production_imports_the_local_stack_realm_without_its_people(production) -> None:
    expected = local_stack_realm()
    expected["users"] = [u for u in expected["users"] if "serviceAccountClientId" in u]
    # What realm-identity.yaml changes, undone, leaves the local stack's realm exactly.
    realm = copy.deepcopy(imported_realm(production))
    for key in IDENTITY_SETTINGS:
        del realm[key]
    realm["roles"]["realm"] = [r for r in realm["roles"]["realm"] if r["name"] != "otp-required"]
    for role in realm["roles"]["realm"]:
        if role["name"] in NIK_ROLES:
            assert role.pop("composites") == {"realm": ["otp-required"]}
            assert role.pop("composite") is True
    expected["clients"] = [c for c in expected["clients"] if c["clientId"] != "jembatan-cli"]
    for client in expected["clients"]:
        if client["clientId"] == "officer-portal":
            client["optionalClientScopes"] = []
    assert without_portal_urls(realm) == without_portal_urls(expected)


def test_production_locks_an_account_for_growing_waits_and_for_good_at_100_failures(
    production,
) -> None:
    realm = imported_realm(production)
    assert realm["bruteForceProtected"] is True
    # Failure n (from the 5th on) is temporary lockout n - 4; one lockout more than allowed is
    # a permanent one: at the 100th failure in a row (NIST SP 800-63B-4 allows at most 100).
    assert realm["permanentLockout"] is True
    assert realm["failureFactor"] == 5
    assert realm["maxTemporaryLockouts"] + realm["failureFactor"] == 100
    assert "bruteForceStrategy" not in realm  # Keycloak's default: "multiple"
    assert realm["waitIncrementSeconds"] == 60
    assert realm["waitIncrementSeconds"] < realm["maxFailureWaitSeconds"] <= 3600
    # The failure count must outlive the longest wait, or the wait never reaches its maximum.
    assert realm["maxDeltaTimeSeconds"] > realm["maxFailureWaitSeconds"]
    assert realm["quickLoginCheckMilliSeconds"] >= 1000
    assert realm["minimumQuickLoginWaitSeconds"] >= 60


def test_production_passwords_are_long_not_the_username_and_not_reused(production) -> None:
    policy = {}
    for rule in imported_realm(production)["passwordPolicy"].split(" and "):
        name, _, argument = rule.partition("(")
        policy[name] = argument.rstrip(")")
    assert int(policy["length"]) >= 12
    assert int(policy["maxLength"]) >= 64  # room for pass phrases and password managers
    assert {"notUsername", "notEmail"} <= policy.keys()
    assert int(policy["passwordHistory"]) >= 1
    # No composition rules and no expiry (NIST SP 800-63B-4, 3.1.1.2: SHALL NOT).
    assert not policy.keys() & {"upperCase", "lowerCase", "digits", "specialChars"}
    assert "forceExpiredPasswordChange" not in policy


def test_everyone_who_can_reveal_a_nik_must_give_a_one_time_code(production) -> None:
    realm = imported_realm(production)
    assert (realm["otpPolicyType"], realm["otpPolicyDigits"], realm["otpPolicyPeriod"]) == (
        "totp",
        6,
        30,
    )
    by_alias = flows(realm)
    browser = by_alias[realm["browserFlow"]]
    assert browser["topLevel"] is True
    # The only ways through: an existing session, or the forms (nothing skips the code).
    top = {
        (e.get("authenticator") or e["flowAlias"], e["requirement"])
        for e in browser["authenticationExecutions"]
    }
    (forms_alias,) = [alias for alias, _ in top if alias in by_alias]
    assert top == {("auth-cookie", "ALTERNATIVE"), (forms_alias, "ALTERNATIVE")}
    password, conditional = by_alias[forms_alias]["authenticationExecutions"]
    assert (password["authenticator"], password["requirement"]) == (
        "auth-username-password-form",
        "REQUIRED",
    )
    assert conditional["requirement"] == "CONDITIONAL"
    steps = by_alias[conditional["flowAlias"]]["authenticationExecutions"]
    assert [(e["authenticator"], e["requirement"]) for e in steps] == [
        ("conditional-user-role", "REQUIRED"),
        ("auth-otp-form", "REQUIRED"),
    ]
    configs = {c["alias"]: c["config"] for c in realm["authenticatorConfig"]}
    condition = configs[steps[0]["authenticatorConfig"]]
    assert condition["negate"] == "false"
    for role in NIK_ROLES:
        assert condition["condUserRole"] in realm_role_closure(realm, role), role
    for role in ("ministry", "partner"):  # service accounts: they never use the browser
        assert condition["condUserRole"] not in realm_role_closure(realm, role), role


def test_production_has_no_public_cli_client_and_no_client_offers_offline_tokens(
    production,
) -> None:
    clients = imported_realm(production)["clients"]
    assert "jembatan-cli" not in {c["clientId"] for c in clients}
    for client in clients:
        grants = (
            client.get("standardFlowEnabled", True)
            or client.get("directAccessGrantsEnabled", False)
            or client.get("serviceAccountsEnabled", False)
        )
        if client.get("publicClient"):
            assert not grants, f"{client['clientId']} is public and can get tokens"
        if grants:
            # Listed explicitly: a client without the list gets the realm's defaults, which
            # Keycloak always makes include offline_access.
            scopes = client["defaultClientScopes"] + client["optionalClientScopes"]
            assert "offline_access" not in scopes, client["clientId"]


def test_the_local_overlay_keeps_the_cli_client_and_no_production_identity(local) -> None:
    realm = imported_realm(local)
    assert "jembatan-cli" in {c["clientId"] for c in realm["clients"]}
    assert not realm.keys() & set(IDENTITY_SETTINGS)


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
    assert len(secrets) == 10  # the portal, the ministry, two partners, six accounts of ours
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
