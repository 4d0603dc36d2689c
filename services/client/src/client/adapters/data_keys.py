"""Each client's data key: made when the client's first event needs it, wrapped under the
service's keyring, destroyed when the client is erased (decision 0015)."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from client.adapters import orm
from shared.crypto import Keyring
from shared.sealing import KEY_BYTES, new_data_key


class DataKeyStore:
    def __init__(self, session: AsyncSession, kek: Keyring) -> None:
        self._session = session
        self._kek = kek

    def _wrap(self, client_id: UUID, key: bytes) -> bytes:
        # The client's id inside the wrapped text: a row copied onto another client opens wrong.
        return self._kek.encrypt(f"{client_id}:{base64.b64encode(key).decode()}")

    def _unwrap(self, client_id: UUID, wrapped: bytes) -> bytes:
        owner, _, encoded = self._kek.decrypt(wrapped).partition(":")
        key = base64.b64decode(encoded)
        if owner != str(client_id) or len(key) != KEY_BYTES:
            raise ValueError("a data key wrapped for another client")
        return key

    async def keys_of(self, client_ids: Iterable[UUID]) -> dict[UUID, bytes]:
        """The keys of those clients that have one (an erased client has none)."""
        wanted = list(set(client_ids))
        if not wanted:
            return {}
        rows = await self._session.execute(
            select(orm.client_keys.c.client_id, orm.client_keys.c.wrapped).where(
                orm.client_keys.c.client_id.in_(wanted)
            )
        )
        return {row.client_id: self._unwrap(row.client_id, row.wrapped) for row in rows}

    async def ensure(self, client_ids: Iterable[UUID]) -> dict[UUID, bytes]:
        """Every one of these clients' keys, made now for those without one."""
        wanted = set(client_ids)
        found = await self.keys_of(wanted)
        fresh = {client_id: new_data_key() for client_id in wanted - set(found)}
        if fresh:
            made = await self._session.execute(
                insert(orm.client_keys)
                .values([{"client_id": i, "wrapped": self._wrap(i, k)} for i, k in fresh.items()])
                .on_conflict_do_nothing()
                .returning(orm.client_keys.c.client_id)
            )
            stored = set(made.scalars())
            found |= {i: k for i, k in fresh.items() if i in stored}
            # A concurrent maker's key won for the others: read theirs back.
            found |= await self.keys_of(set(fresh) - stored)
        return found

    async def destroy(self, client_id: UUID) -> None:
        await self._session.execute(
            delete(orm.client_keys).where(orm.client_keys.c.client_id == client_id)
        )
