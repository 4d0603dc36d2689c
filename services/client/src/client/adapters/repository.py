"""Persistence of clients: rows in, aggregates out. NIKs are encrypted here and nowhere else."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from client.adapters import orm
from client.domain.model import Client
from client.domain.nik import Nik
from shared.auth import RegionScope
from shared.crypto import BlindIndex, FieldCipher


class NikProtector:
    """Encrypts NIKs for storage and derives their lookup index."""

    def __init__(self, cipher: FieldCipher, index: BlindIndex) -> None:
        self.cipher = cipher
        self.index = index


class ClientRepository:
    def __init__(self, session: AsyncSession, nik: NikProtector) -> None:
        self._session = session
        self._nik = nik

    async def add(self, client: Client) -> None:
        await self._session.execute(
            insert(orm.clients).values(
                id=client.id,
                kind=client.kind,
                nik_ciphertext=self._nik.cipher.encrypt(client.nik.value),
                nik_index=self._nik.index.digest(client.nik.value),
                nik_masked=client.nik.masked,
                full_name=client.full_name,
                birth_date=client.birth_date,
                sex=client.sex,
                phone=client.phone,
                email=client.email,
                region_code=client.region_code,
                preferred_language=client.preferred_language,
                disability=client.disability,
                registered_at=client.registered_at,
                registered_by=client.registered_by,
            )
        )

    async def region_of_nik(self, nik: str) -> tuple[UUID, str] | None:
        """The id and region of the client holding `nik`, whoever may see it."""
        row = (
            await self._session.execute(
                select(orm.clients.c.id, orm.clients.c.region_code).where(
                    orm.clients.c.nik_index == self._nik.index.digest(nik)
                )
            )
        ).first()
        return (row.id, row.region_code) if row else None

    async def get(self, client_id: UUID, scope: RegionScope) -> Client | None:
        row = (
            await self._session.execute(
                select(orm.clients).where(
                    orm.clients.c.id == client_id, scope.filter(orm.clients.c.region_code)
                )
            )
        ).first()
        return self._to_client(row._mapping) if row else None

    async def list(self, scope: RegionScope, limit: int, after: UUID | None) -> list[Client]:
        query = (
            select(orm.clients)
            .where(scope.filter(orm.clients.c.region_code))
            .order_by(orm.clients.c.id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(orm.clients.c.id > after)
        rows = (await self._session.execute(query)).all()
        return [self._to_client(r._mapping) for r in rows]

    def _to_client(self, row: Any) -> Client:
        return Client(
            id=row["id"],
            kind=row["kind"],
            nik=Nik(self._nik.cipher.decrypt(row["nik_ciphertext"])),
            full_name=row["full_name"],
            birth_date=row["birth_date"],
            sex=row["sex"],
            phone=row["phone"],
            email=row["email"],
            region_code=row["region_code"],
            preferred_language=row["preferred_language"],
            disability=row["disability"],
            registered_at=row["registered_at"],
            registered_by=row["registered_by"],
        )


class ReadAudit:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(
        self, *, actor: str, username: str | None, client: Client, purpose: str
    ) -> None:
        await self._session.execute(
            insert(orm.record_reads).values(
                actor=actor,
                actor_username=username,
                record_type="client",
                record_id=client.id,
                region_code=client.region_code,
                purpose=purpose,
            )
        )
