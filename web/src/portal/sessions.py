"""Server-side sessions in PostgreSQL: the cookie carries a random id, the row its contents.

Tokens are encrypted at rest (AES-GCM, bound to the row's id hash), so a database dump alone
does not log anyone in; the id itself is stored only as its SHA-256. A session ends after
`idle` without a request, at logout, or when its refresh token stops working. Every portal
replica shares the table, so no request is tied to one process.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portal import orm
from shared.crypto import FieldCipher, derive_key

COOKIE = "jembatan_portal"


@dataclass
class Session:
    sid: str
    csrf_token: str
    data: dict[str, Any] = field(default_factory=dict)


def _hash(sid: str) -> bytes:
    return hashlib.sha256(sid.encode()).digest()


class SessionStore:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], secret: str, idle: timedelta
    ) -> None:
        self._sessions = sessions
        self._key = derive_key(secret, "portal-session")
        self._idle = idle

    def _cipher(self, id_hash: bytes) -> FieldCipher:
        return FieldCipher(self._key, b"portal-session:" + id_hash)

    async def create(self, data: dict[str, Any]) -> Session:
        session = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), data)
        id_hash = _hash(session.sid)
        now = datetime.now(UTC)
        async with self._sessions.begin() as db:
            # Sessions nobody came back to are cleared as new ones begin.
            await db.execute(delete(orm.sessions).where(orm.sessions.c.expires_at <= now))
            await db.execute(
                insert(orm.sessions).values(
                    id_hash=id_hash,
                    payload=self._cipher(id_hash).encrypt(json.dumps(data)),
                    csrf_token=session.csrf_token,
                    expires_at=now + self._idle,
                )
            )
        return session

    async def load(self, sid: str | None) -> Session | None:
        """The live session with this id (its idle time restarts), or None."""
        if not sid:
            return None
        id_hash = _hash(sid)
        now = datetime.now(UTC)
        async with self._sessions.begin() as db:
            row = (
                await db.execute(
                    update(orm.sessions)
                    .where(orm.sessions.c.id_hash == id_hash, orm.sessions.c.expires_at > now)
                    .values(expires_at=now + self._idle)
                    .returning(orm.sessions.c.payload, orm.sessions.c.csrf_token)
                )
            ).first()
        if row is None:
            return None
        data = json.loads(self._cipher(id_hash).decrypt(row.payload))
        return Session(sid, row.csrf_token, data)

    async def save(self, session: Session) -> None:
        id_hash = _hash(session.sid)
        async with self._sessions.begin() as db:
            await db.execute(
                update(orm.sessions)
                .where(orm.sessions.c.id_hash == id_hash)
                .values(payload=self._cipher(id_hash).encrypt(json.dumps(session.data)))
            )

    async def replace(self, old: Session, data: dict[str, Any]) -> Session:
        """A new id (and CSRF token) for a session that changes privilege, e.g. at login."""
        await self.delete(old.sid)
        return await self.create(data)

    async def delete(self, sid: str) -> None:
        async with self._sessions.begin() as db:
            await db.execute(delete(orm.sessions).where(orm.sessions.c.id_hash == _hash(sid)))
