"""Bearer-token verification, the caller as a `Principal`, the region rule (docs/contract.md §4).

Every service verifies tokens itself: signature through a cached JWKS, `iss`, `aud` and `exp`
required. The gateway checks too; neither trusts the other to have done it.
"""

from __future__ import annotations

import functools
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import ColumnElement, false
from starlette.concurrency import run_in_threadpool

from shared import db
from shared.problems import Forbidden, Unauthorized

_REGION = re.compile(r"^\d{2}(\d{2})?$")
_ALGORITHMS = ["RS256", "PS256", "ES256"]


@dataclass(frozen=True)
class Principal:
    """Who is calling, as the token says."""

    subject: str
    username: str | None
    client_id: str | None
    roles: frozenset[str]
    region: str | None
    partner_code: str | None

    def has_any_role(self, roles: Iterable[str]) -> bool:
        return not self.roles.isdisjoint(roles)

    @property
    def scope(self) -> RegionScope:
        return RegionScope(self.region)


@dataclass(frozen=True)
class RegionScope:
    """The region rule: region `R` may act on a record whose `region_code` starts with `R`.

    A caller without a region sees no regional record at all. Outside the scope a record
    answers 404, never 403, so its existence is not confirmed.
    """

    prefix: str | None

    def allows(self, region_code: str) -> bool:
        return self.prefix is not None and region_code.startswith(self.prefix)

    def filter(self, column: ColumnElement[str]) -> ColumnElement[bool]:
        if self.prefix is None:
            return false()
        return column.startswith(self.prefix, autoescape=True)


class InvalidToken(Exception):
    """The token is missing, malformed, expired, or not ours; the reason stays in the server."""


@functools.lru_cache(maxsize=256)
def _header(segment: str) -> dict[str, Any]:
    """A token's header, unverified, to choose the key. Every token of a signing key has the
    same header, so it is read once, not three times a request (PyJWT checks each character
    of what it decodes); the whole token, signature included, is still verified every time."""
    header = jwt.get_unverified_header(f"{segment}.e30.")
    return dict(header)


class TokenVerifier:
    """Verifies access tokens against the issuer's JWKS, cached by key id.

    The key set is fetched again when a token names a key it lacks (a rotation) and when it
    is older than `JWKS_LIFESPAN_S`, so a key the realm removed stops opening the API.
    """

    JWKS_LIFESPAN_S = 300.0
    MIN_REFRESH_INTERVAL_S = 10.0

    def __init__(
        self, *, issuer: str, audience: str, jwks_url: str, leeway_seconds: int = 10
    ) -> None:
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway_seconds
        self._jwks = jwt.PyJWKClient(jwks_url, cache_jwk_set=False, timeout=5)
        self._keys: dict[str, jwt.PyJWK] = {}
        self._lock = threading.Lock()
        self._last_refresh = -self.MIN_REFRESH_INTERVAL_S
        self._fetched_at = -self.JWKS_LIFESPAN_S

    def _stale(self) -> bool:
        return time.monotonic() - self._fetched_at > self.JWKS_LIFESPAN_S

    def _key_for(self, kid: str) -> jwt.PyJWK:
        if kid in self._keys and not self._stale():
            return self._keys[kid]
        with self._lock:
            # An unknown kid may be a rotated key, or garbage: refresh at most every 10 s.
            now = time.monotonic()
            due = kid not in self._keys or self._stale()
            if due and now - self._last_refresh > self.MIN_REFRESH_INTERVAL_S:
                self._last_refresh = now
                try:
                    jwk_set = self._jwks.get_jwk_set()
                except jwt.PyJWKClientError as exc:
                    raise InvalidToken("JWKS unavailable") from exc
                self._keys = {k.key_id: k for k in jwk_set.keys if k.key_id}
                self._fetched_at = now
        key = self._keys.get(kid)
        if key is None:
            raise InvalidToken("unknown signing key")
        return key

    def needs_fetch(self, token: str) -> bool:
        """Whether verifying `token` may fetch the key set (then it runs in a thread)."""
        try:
            kid = _header(token.partition(".")[0]).get("kid")
        except jwt.PyJWTError:
            return False
        return isinstance(kid, str) and (kid not in self._keys or self._stale())

    def verify(self, token: str) -> Principal:
        try:
            header = _header(token.partition(".")[0])
            kid = header.get("kid")
            if not isinstance(kid, str) or header.get("alg") not in _ALGORITHMS:
                raise InvalidToken("unsupported token header")
            key = self._key_for(kid)
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=_ALGORITHMS,
                issuer=self._issuer,
                audience=self._audience,
                leeway=self._leeway,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(type(exc).__name__) from exc
        if claims.get("typ", "Bearer") != "Bearer":
            raise InvalidToken("not an access token")
        return principal_from_claims(claims)


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    roles = claims.get("realm_access", {}).get("roles", [])
    region = claims.get("region")
    if region is not None and (not isinstance(region, str) or not _REGION.match(region)):
        region = None  # a malformed region grants nothing
    return Principal(
        subject=str(claims["sub"]),
        username=claims.get("preferred_username"),
        client_id=claims.get("azp"),
        roles=frozenset(r for r in roles if isinstance(r, str)),
        region=region,
        partner_code=claims.get("partner_code"),
    )


def _bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized()
    return token.strip()


async def principal_of(request: Request) -> Principal:
    """The caller of `request`, verified; 401 for a missing or refused token."""
    verifier: TokenVerifier = request.app.state.token_verifier
    token = _bearer_token(request)
    try:
        if verifier.needs_fetch(token):
            principal = await run_in_threadpool(verifier.verify, token)
        else:
            principal = verifier.verify(token)
    except InvalidToken as exc:
        raise Unauthorized() from exc
    # PostgreSQL's row-level security keys on the verified token, never on a header.
    db.rows_of(principal.region, principal.partner_code)
    return principal


# Declares the scheme in each protected operation of the OpenAPI documents, so clients and
# API tests know the operation needs a token; the header itself is read by `principal_of`.
_SCHEME = HTTPBearer(
    auto_error=False,
    bearerFormat="JWT",
    description="An access token of the Keycloak realm `jembatan` for the audience `jembatan-api`.",
)


async def current_principal(
    request: Request, _: Annotated[HTTPAuthorizationCredentials | None, Security(_SCHEME)]
) -> Principal:
    return await principal_of(request)


CurrentUser = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: str) -> Callable[..., Any]:
    """A dependency that admits only callers holding one of `roles` (403 otherwise)."""
    allowed = frozenset(roles)

    async def dependency(principal: CurrentUser) -> Principal:
        if not principal.has_any_role(allowed):
            raise Forbidden()
        return principal

    return dependency


SERVICE_ROLE = "service"


def is_service(principal: Principal, client_ids: Iterable[str]) -> bool:
    """One of the named services' own accounts (role `service`, Keycloak client id `azp`)."""
    return SERVICE_ROLE in principal.roles and principal.client_id in set(client_ids)


def require_service(*client_ids: str) -> Callable[..., Any]:
    """A dependency that admits only the named services' own accounts; 403 for anyone else."""

    async def dependency(principal: CurrentUser) -> Principal:
        if not is_service(principal, client_ids):
            raise Forbidden()
        return principal

    return dependency
