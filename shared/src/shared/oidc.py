"""Getting tokens from Keycloak: client credentials for services, code + PKCE for people.

`login_with_pkce` signs in through Keycloak's login form as a browser would; it serves the
`jembatan-cli` client (command-line use), the demo-data loader and the tests. No client of the
realm allows the password grant, so there is no shortcut.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx


class LoginError(RuntimeError):
    """The login page did not redirect back with a code."""


def token_endpoint(base_url: str, realm: str) -> str:
    return f"{base_url}/realms/{realm}/protocol/openid-connect/token"


def client_credentials(
    base_url: str, realm: str, client_id: str, client_secret: str
) -> dict[str, Any]:
    response = httpx.post(
        token_endpoint(base_url, realm),
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
        },
        timeout=15,
    )
    response.raise_for_status()
    tokens: dict[str, Any] = response.json()
    return tokens


def login_with_pkce(
    base_url: str,
    realm: str,
    client_id: str,
    username: str,
    password: str,
    redirect_uri: str,
    *,
    client_secret: str | None = None,
    scope: str = "openid",
) -> dict[str, Any]:
    """Authorization code flow with PKCE (S256); returns the token response.

    The redirect is read from the `Location` header and never followed, so nothing has to
    listen on `redirect_uri`. Pass `client_secret` for a confidential client.
    """
    verifier = secrets.token_urlsafe(64)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    state = secrets.token_urlsafe(16)
    with httpx.Client(timeout=15, follow_redirects=False) as browser:
        page = browser.get(
            f"{base_url}/realms/{realm}/protocol/openid-connect/auth",
            params={
                "client_id": client_id,
                "response_type": "code",
                "scope": scope,
                "redirect_uri": redirect_uri,
                "state": state,
                "nonce": secrets.token_urlsafe(16),
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            },
        )
        if page.status_code != 200:
            raise LoginError(f"authorization request answered {page.status_code}")
        action = _login_form_action(page.text)
        if action is None:
            raise LoginError("no login form on the authorization page")
        answer = browser.post(
            urljoin(str(page.url), action),
            data={"username": username, "password": password, "credentialId": ""},
            headers={"Cookie": _cookie_header(browser.cookies)},
        )
        location = answer.headers.get("location", "")
        if answer.status_code not in (302, 303) or not location.startswith(redirect_uri):
            raise LoginError(f"login answered {answer.status_code} without a redirect")
        query = parse_qs(urlsplit(location).query)
        if query.get("state") != [state]:
            raise LoginError("the redirect carries a different state")
        if "code" not in query:
            raise LoginError(f"the redirect carries no code: {query.get('error')}")
        form = {
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "redirect_uri": redirect_uri,
            "client_id": client_id,
            "code_verifier": verifier,
        }
        if client_secret is not None:
            form["client_secret"] = client_secret
        response = browser.post(token_endpoint(base_url, realm), data=form)
        response.raise_for_status()
        tokens: dict[str, Any] = response.json()
        return tokens


class _FormFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "form":
            return
        found = dict(attrs)
        # Keycloak's login theme names the form kc-form-login; take the first form otherwise.
        if self.action is None or found.get("id") == "kc-form-login":
            self.action = found.get("action")


def _login_form_action(page: str) -> str | None:
    finder = _FormFinder()
    finder.feed(page)
    return finder.action


def _cookie_header(cookies: httpx.Cookies) -> str:
    """The login-session cookies, sent explicitly.

    Keycloak marks them `Secure; SameSite=None` even on http://localhost. Browsers send them
    back (loopback is a secure context); the cookie jar behind httpx does not, and without
    them the login form answers 400 "cookie not found".
    """
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in cookies.jar)
