"""A client's personal values in events, sealed under that client's own data key.

The client service holds one random 256-bit key per client and seals the personal part of
its events with it (AES-256-GCM, bound to the client's id); only ids and non-personal facts
travel in clear. A service that needs a value asks the client service for the keys of the
clients in hand (`DataKeys`, its own account, a short-lived cache) and opens the seal.
Erasing a client destroys the key: every copy of the seal, in Kafka, in dead letters and in
backups, then opens for nobody (crypto-shredding, decision 0015).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import time
from collections.abc import Iterable, Sequence
from typing import Any, Protocol, TypeVar
from uuid import UUID

import httpx
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from shared.messaging.consumer import BatchReaction, DependencyUnavailable
from shared.messaging.envelope import Envelope
from shared.service_token import ServiceToken, ServiceTokenError

M = TypeVar("M", bound=BaseModel)

KEY_BYTES = 32
_NONCE_BYTES = 12
_PREFIX = "s1."  # the format: version 1, base64url(nonce | ciphertext)
MAX_KEYS_PER_CALL = 1000


class SealBroken(ValueError):
    """Not a seal of ours, or not this client's (a tampered or misrouted event)."""


def new_data_key() -> bytes:
    return os.urandom(KEY_BYTES)


def _aad(client_id: UUID) -> bytes:
    return b"jembatan.client:" + client_id.bytes


def seal(key: bytes, client_id: UUID, values: dict[str, Any]) -> str:
    """The personal `values` of one client, as a string to put in an event."""
    nonce = os.urandom(_NONCE_BYTES)
    plain = json.dumps(values, separators=(",", ":"), ensure_ascii=False, default=str).encode()
    sealed = AESGCM(key).encrypt(nonce, plain, _aad(client_id))
    return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(key: bytes, client_id: UUID, sealed: str) -> dict[str, Any]:
    if not sealed.startswith(_PREFIX):
        raise SealBroken("unknown seal format")
    try:
        raw = base64.urlsafe_b64decode(sealed[len(_PREFIX) :])
        plain = AESGCM(key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _aad(client_id))
    except Exception as exc:  # bad base64, a wrong key, a changed byte: all the same to us
        raise SealBroken("the seal does not open with this client's key") from exc
    values: dict[str, Any] = json.loads(plain)
    return values


class Opener(Protocol):
    """What a consumer needs of `DataKeys` (a fake in unit tests)."""

    async def prefetch(self, client_ids: Iterable[UUID]) -> None: ...
    async def open(self, client_id: UUID, sealed: str) -> dict[str, Any] | None: ...
    def forget(self, client_id: UUID) -> None: ...


async def opened(opener: Opener, client_id: UUID, sealed: str, model: type[M]) -> M | None:
    """The sealed values as `model`, or None when the client was erased."""
    values = await opener.open(client_id, sealed)
    return None if values is None else model.model_validate(values)


def sealed_client_ids(envelopes: Sequence[Envelope]) -> list[UUID]:
    return [UUID(str(e.data["client_id"])) for e in envelopes if "sealed" in e.data]


def prefetching(opener: Opener, reaction: BatchReaction) -> BatchReaction:
    """`reaction`, with the keys of a batch's sealed events fetched in one call first."""

    async def handle(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
        await opener.prefetch(sealed_client_ids(envelopes))
        await reaction.handle(session, envelopes)

    return BatchReaction(reaction.types, handle)


class DataKeys:
    """The data keys of clients, from the client service (`POST /internal/data-keys`).

    Keys are kept in memory for `ttl_s` at most, so an erasure reaches this process within
    that time even without the `client.erased` event (which calls `forget`). A client the
    client service no longer knows (erased) has no key: `open` answers None.
    """

    def __init__(
        self,
        base_url: str,
        token: ServiceToken,
        http: httpx.AsyncClient,
        ttl_s: float = 30.0,
    ) -> None:
        self._url = f"{base_url}/internal/data-keys"
        self._token = token
        self._http = http
        self._ttl_s = ttl_s
        self._cache: dict[UUID, tuple[float, bytes | None]] = {}
        self._lock = asyncio.Lock()

    async def prefetch(self, client_ids: Iterable[UUID]) -> None:
        """Fetch, in as few calls as possible, the keys of `client_ids` not cached."""
        now = time.monotonic()
        wanted = sorted(
            {i for i in client_ids if (hit := self._cache.get(i)) is None or hit[0] <= now}
        )
        for start in range(0, len(wanted), MAX_KEYS_PER_CALL):
            await self._fetch(wanted[start : start + MAX_KEYS_PER_CALL])

    async def key_of(self, client_id: UUID) -> bytes | None:
        hit = self._cache.get(client_id)
        if hit is None or hit[0] <= time.monotonic():
            await self.prefetch([client_id])
            hit = self._cache[client_id]
        return hit[1]

    async def open(self, client_id: UUID, sealed: str) -> dict[str, Any] | None:
        """The sealed values, or None when the client's key is gone (the client was erased)."""
        key = await self.key_of(client_id)
        return None if key is None else unseal(key, client_id, sealed)

    def forget(self, client_id: UUID) -> None:
        self._cache.pop(client_id, None)

    async def close(self) -> None:
        await self._http.aclose()

    async def _fetch(self, client_ids: list[UUID]) -> None:
        async with self._lock:
            try:
                answer = await self._post(client_ids)
                if answer.status_code == 401:  # a token that expired in flight: once more
                    self._token.forget()
                    answer = await self._post(client_ids)
            except (httpx.HTTPError, ServiceTokenError) as exc:
                raise DependencyUnavailable(f"client service: {type(exc).__name__}") from exc
            if answer.status_code != 200:
                raise DependencyUnavailable(f"client service answered {answer.status_code}")
            keys = answer.json()["keys"]
            until = time.monotonic() + self._ttl_s
            for client_id in client_ids:
                encoded = keys.get(str(client_id))
                self._cache[client_id] = (
                    until,
                    base64.b64decode(encoded) if encoded is not None else None,
                )
            self._evict(time.monotonic())

    async def _post(self, client_ids: list[UUID]) -> httpx.Response:
        return await self._http.post(
            self._url,
            json={"client_ids": [str(i) for i in client_ids]},
            headers={"Authorization": f"Bearer {await self._token.get()}"},
        )

    def _evict(self, now: float) -> None:
        if len(self._cache) > 50_000:
            self._cache = {k: v for k, v in self._cache.items() if v[0] > now}


def data_keys(
    client_service_url: str, token_url: str, client_id: str, client_secret: str
) -> DataKeys:
    """A `DataKeys` with its own connection pool and this service's account."""
    http = httpx.AsyncClient(timeout=10)
    return DataKeys(
        client_service_url, ServiceToken(token_url, client_id, client_secret, http), http
    )
