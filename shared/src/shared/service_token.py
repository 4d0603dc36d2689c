"""A service's own access token (Keycloak client credentials), fetched once and renewed
shortly before it expires; for the few synchronous calls one service makes to another."""

from __future__ import annotations

import asyncio
import time

import httpx

# Renew this long before the token's own expiry, so a call never carries a dying token.
RENEW_BEFORE_S = 30.0


class ServiceTokenError(RuntimeError):
    """Keycloak refused or could not be reached; the reason stays in the server."""


class ServiceToken:
    def __init__(
        self, token_url: str, client_id: str, client_secret: str, http: httpx.AsyncClient
    ) -> None:
        self._url = token_url
        self._form = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
        }
        self._http = http
        self._token: str | None = None
        self._renew_at = 0.0
        self._lock = asyncio.Lock()

    async def get(self) -> str:
        if self._token is not None and time.monotonic() < self._renew_at:
            return self._token
        async with self._lock:  # one fetch for all the callers that found it stale
            if self._token is None or time.monotonic() >= self._renew_at:
                await self._fetch()
        assert self._token is not None
        return self._token

    def forget(self) -> None:
        """Drop the token (the callee refused it): the next `get` fetches a new one."""
        self._token = None

    async def _fetch(self) -> None:
        try:
            answer = await self._http.post(self._url, data=self._form)
        except httpx.HTTPError as exc:
            raise ServiceTokenError(type(exc).__name__) from exc
        if answer.status_code != 200:
            raise ServiceTokenError(f"token endpoint answered {answer.status_code}")
        body = answer.json()
        lifetime = float(body.get("expires_in", 60))
        self._token = str(body["access_token"])
        self._renew_at = time.monotonic() + max(lifetime - RENEW_BEFORE_S, lifetime / 2)
