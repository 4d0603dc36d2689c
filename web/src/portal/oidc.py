"""Logging officers in through Keycloak: authorization code + PKCE with the confidential
`officer-portal` client, refresh, and RP-initiated logout. Tokens never reach the browser.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from portal.settings import PortalSettings
from shared.auth import InvalidToken, Principal, TokenVerifier


class LoginFailed(Exception):
    """Keycloak did not give us tokens we trust; the reason stays in the server."""


@dataclass(frozen=True)
class PendingLogin:
    state: str
    nonce: str
    verifier: str
    next_path: str

    @classmethod
    def start(cls, next_path: str) -> PendingLogin:
        return cls(
            secrets.token_urlsafe(24),
            secrets.token_urlsafe(24),
            secrets.token_urlsafe(64),
            next_path,
        )

    def as_dict(self) -> dict[str, str]:
        return {
            "state": self.state,
            "nonce": self.nonce,
            "verifier": self.verifier,
            "next": self.next_path,
        }

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> PendingLogin:
        return cls(data["state"], data["nonce"], data["verifier"], data["next"])


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class Keycloak:
    def __init__(self, settings: PortalSettings, http: httpx.AsyncClient) -> None:
        self._s = settings
        realm = f"/realms/{settings.oidc_realm}/protocol/openid-connect"
        self._public = settings.oidc_public_base + realm
        self._internal = settings.oidc_internal_base + realm
        self._http = http
        self._verifier = TokenVerifier(
            issuer=settings.oidc_issuer,
            audience=settings.oidc_audience,
            jwks_url=settings.oidc_jwks_url,
            leeway_seconds=settings.token_leeway_seconds,
        )
        self._id_keys = jwt.PyJWKClient(settings.oidc_jwks_url, cache_jwk_set=True, lifespan=300)

    def authorization_url(self, pending: PendingLogin, language: str) -> str:
        query = {
            "client_id": self._s.client_id,
            "response_type": "code",
            "scope": "openid",
            "redirect_uri": self._s.redirect_uri,
            "state": pending.state,
            "nonce": pending.nonce,
            "code_challenge": _challenge(pending.verifier),
            "code_challenge_method": "S256",
            "ui_locales": language,
        }
        return f"{self._public}/auth?{urlencode(query)}"

    def logout_url(self, id_token: str | None) -> str:
        query = {
            "client_id": self._s.client_id,
            "post_logout_redirect_uri": self._s.public_url + "/",
        }
        if id_token:
            query["id_token_hint"] = id_token
        return f"{self._public}/logout?{urlencode(query)}"

    async def _token(self, form: dict[str, str]) -> dict[str, Any]:
        form |= {
            "client_id": self._s.client_id,
            "client_secret": self._s.client_secret.get_secret_value(),
        }
        try:
            answer = await self._http.post(f"{self._internal}/token", data=form)
        except httpx.HTTPError as exc:
            raise LoginFailed(type(exc).__name__) from exc
        if answer.status_code != 200:
            raise LoginFailed(f"token endpoint answered {answer.status_code}")
        tokens: dict[str, Any] = answer.json()
        return tokens

    async def finish_login(self, pending: PendingLogin, code: str) -> dict[str, Any]:
        """Exchange the code; check the ID token's nonce and the access token; the session."""
        tokens = await self._token(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self._s.redirect_uri,
                "code_verifier": pending.verifier,
            }
        )
        id_token = tokens.get("id_token", "")
        try:
            key = await asyncio.to_thread(self._id_keys.get_signing_key_from_jwt, id_token)
            claims = jwt.decode(
                id_token,
                key.key,
                algorithms=["RS256"],
                audience=self._s.client_id,
                issuer=self._s.oidc_issuer,
                leeway=self._s.token_leeway_seconds,
            )
        except jwt.PyJWTError as exc:
            raise LoginFailed(type(exc).__name__) from exc
        if not secrets.compare_digest(str(claims.get("nonce", "")), pending.nonce):
            raise LoginFailed("nonce mismatch")
        return await self._session_data(tokens, name=str(claims.get("name") or ""))

    async def refresh(self, data: dict[str, Any]) -> dict[str, Any]:
        tokens = await self._token(
            {"grant_type": "refresh_token", "refresh_token": data["refresh_token"]}
        )
        return await self._session_data(tokens, name=data["user"]["name"], keep=data)

    async def _session_data(
        self, tokens: dict[str, Any], name: str, keep: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        try:
            principal = await asyncio.to_thread(self._verifier.verify, tokens["access_token"])
        except (InvalidToken, KeyError) as exc:
            raise LoginFailed("access token not accepted") from exc
        data = dict(keep or {})
        data |= {
            "access_token": tokens["access_token"],
            "refresh_token": tokens.get("refresh_token", data.get("refresh_token")),
            "id_token": tokens.get("id_token", data.get("id_token")),
            "expires_at": time.time() + int(tokens.get("expires_in", 60)),
            "user": _user(principal, name),
        }
        return data


def _user(principal: Principal, name: str) -> dict[str, Any]:
    return {
        "username": principal.username,
        "name": name or principal.username,
        "roles": sorted(principal.roles),
        "region": principal.region,
        "partner_code": principal.partner_code,  # a partner's staff: their organisation
    }
