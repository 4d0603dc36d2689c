"""The production realm is a real one: deploy/k8s's rendered production realm, imported into the
local Keycloak under a throwaway name, refuses weak passwords, locks an account after five
wrong ones, stops an officer's browser login at setting up a one-time code, lets no client ask
for an offline token, and still gives service accounts their tokens.

Only the local Keycloak (master admin admin/admin) is needed; the realm is deleted afterwards.
tests/deploy/test_keycloak.py checks the same settings on the rendered manifest.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import html
import os
import re
import secrets
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
import yaml
from keycloak import KeycloakAdmin
from keycloak.exceptions import KeycloakPutError

from shared.oidc import client_credentials
from support import stack

pytestmark = pytest.mark.integration

KUBECTL = Path(os.environ.get("KUBECTL", stack.ROOT / ".cache" / "tools" / "kubectl" / "kubectl"))
PORTAL = "officer-portal"
# The portal's production redirect: never followed, only read from the Location header.
REDIRECT = "https://portal.jembatan.example/callback"
PLACEHOLDER = re.compile(r"^\$\{[A-Z_]+\}$")
LOGIN_FORM = re.compile(r'<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"')


def _rendered_realm() -> dict[str, Any]:
    """The realm of the production overlay's KeycloakRealmImport, as kustomize renders it."""
    if not KUBECTL.exists():
        pytest.fail(f"{KUBECTL} is missing: run `make install` (tools/kubectl/install.sh)")
    overlay = stack.ROOT / "deploy" / "k8s" / "overlays" / "production"
    result = subprocess.run(
        [str(KUBECTL), "kustomize", str(overlay)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    (realm_import,) = [
        d for d in yaml.safe_load_all(result.stdout) if d and d["kind"] == "KeycloakRealmImport"
    ]
    realm: dict[str, Any] = realm_import["spec"]["realm"]
    return realm


@dataclass(frozen=True)
class Realm:
    name: str
    admin: KeycloakAdmin
    secrets: dict[str, str]  # client id -> the secret given in place of its placeholder

    def user(self, *roles: str) -> tuple[str, str]:
        """A new user with a complete profile and these realm roles: (id, username)."""
        username = f"user-{uuid.uuid4().hex[:10]}"
        user_id = self.admin.create_user(
            {
                "username": username,
                "email": f"{username}@jembatan.test",
                "emailVerified": True,
                "firstName": "Uji",
                "lastName": "Produksi",
                "enabled": True,
                "attributes": {"region": ["3273"]},
            }
        )
        if roles:
            self.admin.assign_realm_roles(user_id, [self.admin.get_realm_role(r) for r in roles])
        return user_id, username


@pytest.fixture(scope="module")
def realm() -> Iterator[Realm]:
    """The rendered production realm under a unique name, deleted whatever happens."""
    representation = copy.deepcopy(_rendered_realm())
    name = f"production-check-{uuid.uuid4().hex[:8]}"
    representation["realm"] = name
    given = {}
    for client in representation["clients"]:
        if "secret" in client:
            assert PLACEHOLDER.match(client["secret"])  # the operator fills it from a Secret
            client["secret"] = given[client["clientId"]] = secrets.token_urlsafe(24)
    master = KeycloakAdmin(
        server_url=stack.KEYCLOAK + "/",
        username="admin",
        password="admin",  # the local master admin of `make up` (infra/keycloak/run.sh)
        realm_name="master",
        user_realm_name="master",
    )
    master.create_realm(representation)
    try:
        admin = KeycloakAdmin(
            server_url=stack.KEYCLOAK + "/",
            username="admin",
            password="admin",
            realm_name=name,
            user_realm_name="master",
        )
        yield Realm(name, admin, given)
    finally:
        master.delete_realm(name)


class Browser:
    """An authorization-code login with PKCE, as a browser makes it, one answer at a time.

    Keycloak's login cookies are `Secure`; on http://localhost a browser still sends them, the
    cookie jar does not, so they travel in an explicit header (as in shared/oidc.py).
    """

    def __init__(self, realm: Realm) -> None:
        self.realm = realm
        self.http = httpx.Client(timeout=15, follow_redirects=False)

    def _cookies(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{c.name}={c.value}" for c in self.http.cookies.jar)}

    def authorize(self, scope: str = "openid") -> httpx.Response:
        verifier = secrets.token_urlsafe(64)
        digest = hashlib.sha256(verifier.encode()).digest()
        return self.http.get(
            f"{stack.KEYCLOAK}/realms/{self.realm.name}/protocol/openid-connect/auth",
            params={
                "client_id": PORTAL,
                "response_type": "code",
                "scope": scope,
                "redirect_uri": REDIRECT,
                "state": secrets.token_urlsafe(16),
                "code_challenge": base64.urlsafe_b64encode(digest).rstrip(b"=").decode(),
                "code_challenge_method": "S256",
            },
        )

    def sign_in(self, username: str, password: str) -> httpx.Response:
        """Username and password on the login form; Keycloak's own redirects are followed."""
        page = self.authorize()
        assert page.status_code == 200, page.status_code
        found = LOGIN_FORM.search(page.text)
        assert found, "no login form"
        answer = self.http.post(
            urljoin(str(page.url), html.unescape(found[1])),
            data={"username": username, "password": password, "credentialId": ""},
            headers=self._cookies(),
        )
        for _ in range(5):
            location = answer.headers.get("location", "")
            if answer.status_code not in (302, 303) or location.startswith(REDIRECT):
                break
            answer = self.http.get(urljoin(str(answer.url), location), headers=self._cookies())
        return answer


def _asks_to_set_up_a_one_time_code(page: httpx.Response) -> bool:
    """Keycloak's CONFIGURE_TOTP required action: the authenticator-app set-up page."""
    return (
        page.status_code == 200
        and "execution=CONFIGURE_TOTP" in str(page.url)
        and 'id="kc-totp-settings-form"' in page.text
    )


def _strong_password() -> str:
    return secrets.token_urlsafe(18)  # 24 characters


def _refusal(realm: Realm, user_id: str, password: str) -> str:
    """The policy's reason for refusing `password`, or "" when it is accepted."""
    try:
        realm.admin.set_user_password(user_id, password, temporary=False)
    except KeycloakPutError as refused:
        return refused.response_body.decode() if refused.response_body else str(refused)
    return ""


def test_a_short_password_the_username_or_a_reused_one_is_refused(realm: Realm) -> None:
    user_id, username = realm.user("officer")
    assert "invalidPasswordMinLengthMessage" in _refusal(realm, user_id, "sebelas-kar")  # 11
    assert "invalidPasswordNotUsernameMessage" in _refusal(realm, user_id, username)
    password = _strong_password()
    assert _refusal(realm, user_id, password) == ""
    assert "invalidPasswordHistoryMessage" in _refusal(realm, user_id, password)


def test_an_officer_signing_in_is_stopped_at_setting_up_a_one_time_code(realm: Realm) -> None:
    user_id, username = realm.user("officer")
    password = _strong_password()
    realm.admin.set_user_password(user_id, password, temporary=False)
    page = Browser(realm).sign_in(username, password)
    # The password was right, yet no code comes back: Keycloak asks for an authenticator app.
    assert _asks_to_set_up_a_one_time_code(page), (page.status_code, page.url)


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_supervisors_and_administrators_need_a_one_time_code_too(realm: Realm, role: str) -> None:
    user_id, username = realm.user(role)
    password = _strong_password()
    realm.admin.set_user_password(user_id, password, temporary=False)
    page = Browser(realm).sign_in(username, password)
    assert _asks_to_set_up_a_one_time_code(page), (page.status_code, page.url)


def test_the_one_time_code_follows_the_role_not_every_login(realm: Realm) -> None:
    # No person without one of these roles exists in production; this one shows the condition.
    user_id, username = realm.user()
    password = _strong_password()
    realm.admin.set_user_password(user_id, password, temporary=False)
    answer = Browser(realm).sign_in(username, password)
    assert answer.status_code == 302
    assert "code" in parse_qs(urlsplit(answer.headers["location"]).query)


def test_no_client_may_ask_for_an_offline_token(realm: Realm) -> None:
    answer = Browser(realm).authorize(scope="openid offline_access")
    assert answer.status_code == 302, "the login page was offered"
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query.get("error") == ["invalid_scope"]
    clients = {c["clientId"] for c in realm.admin.get_clients()}
    assert "jembatan-cli" not in clients and PORTAL in clients


def _failures_counted(realm: Realm, user_id: str, failures: int) -> dict[str, Any] | None:
    """The brute-force status once Keycloak (asynchronously) has counted `failures`."""
    status: dict[str, Any] = realm.admin.get_bruteforce_detection_status(user_id)
    return status if status["numFailures"] == failures else None


def test_five_wrong_passwords_in_a_row_lock_the_account(realm: Realm) -> None:
    user_id, username = realm.user("officer")
    password = _strong_password()
    realm.admin.set_user_password(user_id, password, temporary=False)
    browser = Browser(realm)
    for attempt in range(1, 6):
        # Slower than the quick-login check (1 s), which would lock on its own.
        time.sleep(1.2)
        assert browser.sign_in(username, "salah-" + _strong_password()).status_code == 200
        status = stack.eventually(lambda n=attempt: _failures_counted(realm, user_id, n), 10)
        assert status["disabled"] is (attempt == 5), (attempt, status)
    # Locked: the right password now gets the login form again, not the one-time code set-up.
    page = browser.sign_in(username, password)
    assert page.status_code == 200 and LOGIN_FORM.search(page.text)
    assert not _asks_to_set_up_a_one_time_code(page)


def test_service_accounts_still_get_their_tokens(realm: Realm) -> None:
    for client_id in ("ministry-integration", "partner-bank-nusantara"):
        tokens = client_credentials(stack.KEYCLOAK, realm.name, client_id, realm.secrets[client_id])
        assert tokens["access_token"] and "refresh_token" not in tokens
