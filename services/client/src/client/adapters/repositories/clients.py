"""Clients: rows in, aggregates out.

The NIK is encrypted and indexed here (with `NikProtector`) and nowhere else; every query that
returns a person takes the caller's `RegionScope`.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from uuid import UUID

from sqlalchemy import Select, Text, insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from client.adapters import orm
from client.adapters.repositories.conflicts import ConcurrentUpdate
from client.adapters.repositories.nik import DuplicateNik, NikProtector
from client.domain.model import Business, Client, FinancialProfile, normalized_name
from client.domain.nik import Nik
from shared.auth import RegionScope


def _client_values(client: Client) -> dict[str, Any]:
    return {
        "full_name": client.full_name,
        "name_normalized": normalized_name(client.full_name),
        "phone": client.phone,
        "phone_is_mobile": client.phone_is_mobile,
        "email": client.email,
        "region_code": client.region_code,
        "preferred_language": client.preferred_language,
        "disability": client.disability,
        "financial_profile": dataclasses.asdict(client.financial_profile),
        "business": dataclasses.asdict(client.business) if client.business else None,
        "updated_at": client.updated_at,
        "version": client.version,
        "restricted": client.restricted,
    }


class ClientRepository:
    def __init__(self, session: AsyncSession, nik: NikProtector) -> None:
        self._session = session
        self._nik = nik

    async def add(self, client: Client) -> None:
        try:
            await self._insert(client)
        except IntegrityError as exc:
            if "nik_index" in str(exc.orig):
                raise DuplicateNik() from None
            raise

    async def _insert(self, client: Client) -> None:
        await self._session.execute(
            insert(orm.clients).values(
                id=client.id,
                kind=client.kind,
                nik_ciphertext=self._nik.cipher.encrypt(client.nik_value),
                nik_index=self._nik.index.digest(client.nik_value),
                nik_masked=client.nik_masked,
                birth_date=client.birth_date,
                sex=client.sex,
                nik_warnings=list(client.nik_warnings),
                region_code_set=client.region_code_set,
                registered_at=client.registered_at,
                registered_by=client.registered_by,
                **_client_values(client),
            )
        )

    async def add_many(self, clients: list[Client]) -> set[UUID]:
        """Insert those whose NIK is not registered yet; returns the ids inserted."""
        if not clients:
            return set()
        rows = [
            {
                "id": c.id,
                "kind": c.kind,
                "nik_ciphertext": self._nik.cipher.encrypt(c.nik_value),
                "nik_index": self._nik.index.digest(c.nik_value),
                "nik_masked": c.nik_masked,
                "birth_date": c.birth_date,
                "sex": c.sex,
                "nik_warnings": list(c.nik_warnings),
                "region_code_set": c.region_code_set,
                "registered_at": c.registered_at,
                "registered_by": c.registered_by,
                **_client_values(c),
            }
            for c in clients
        ]
        statement = (
            pg_insert(orm.clients)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["nik_index"])
            .returning(orm.clients.c.id)
        )
        return set((await self._session.execute(statement)).scalars())

    async def save(self, client: Client) -> None:
        """Write a changed client; `version` guards against a concurrent lost update."""
        result = await self._session.execute(
            update(orm.clients)
            .where(orm.clients.c.id == client.id, orm.clients.c.version == client.version - 1)
            .values(**_client_values(client))
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentUpdate()

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

    async def nik_of(self, client_id: UUID, scope: RegionScope) -> Nik | None:
        """The NIK in clear, for a reveal or a partner's profile (the caller audits it)."""
        blob = (
            await self._session.execute(
                select(orm.clients.c.nik_ciphertext).where(
                    orm.clients.c.id == client_id, scope.filter(orm.clients.c.region_code)
                )
            )
        ).scalar_one_or_none()
        return Nik(self._nik.cipher.decrypt(blob)) if blob is not None else None

    async def get(
        self, client_id: UUID, scope: RegionScope, *, lock: bool = False
    ) -> Client | None:
        query = select(orm.clients).where(
            orm.clients.c.id == client_id, scope.filter(orm.clients.c.region_code)
        )
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return self._to_client(row._mapping) if row else None

    def search_query(
        self,
        scope: RegionScope,
        *,
        limit: int,
        after: UUID | None,
        q: str | None = None,
        nik: str | None = None,
        phone: str | None = None,
    ) -> Select[Any]:
        """The search statement: region first, then exact NIK (keyed index), phone, or name."""
        query: Select[Any] = select(orm.clients).where(
            scope.filter(orm.clients.c.region_code), orm.clients.c.merged_into.is_(None)
        )
        if nik is not None:
            query = query.where(orm.clients.c.nik_index == self._nik.index.digest(nik))
        if phone is not None:
            query = query.where(orm.clients.c.phone == phone)
        if q:
            # pg_trgm word similarity (`q <% name`), served by the GIN index: a part of the
            # name matches, and so does a name typed with a mistake.
            query = query.where(
                literal(normalized_name(q), Text).op("<%")(orm.clients.c.name_normalized)
            )
        if after is not None:
            query = query.where(orm.clients.c.id > after)
        return query.order_by(orm.clients.c.id).limit(limit)

    async def search(
        self,
        scope: RegionScope,
        *,
        limit: int,
        after: UUID | None,
        q: str | None = None,
        nik: str | None = None,
        phone: str | None = None,
    ) -> list[Client]:
        query = self.search_query(scope, limit=limit, after=after, q=q, nik=nik, phone=phone)
        rows = (await self._session.execute(query)).all()
        return [self._to_client(r._mapping) for r in rows]

    def _to_client(self, row: Any) -> Client:
        business = row["business"]
        return Client(
            id=row["id"],
            kind=row["kind"],
            nik=None,
            nik_masked=row["nik_masked"],
            full_name=row["full_name"],
            birth_date=row["birth_date"],
            sex=row["sex"],
            phone=row["phone"],
            phone_is_mobile=row["phone_is_mobile"],
            email=row["email"],
            region_code=row["region_code"],
            preferred_language=row["preferred_language"],
            disability=row["disability"],
            financial_profile=FinancialProfile(**row["financial_profile"]),
            business=Business(**business) if business else None,
            nik_warnings=tuple(row["nik_warnings"]),
            region_code_set=row["region_code_set"],
            registered_at=row["registered_at"],
            registered_by=row["registered_by"],
            updated_at=row["updated_at"],
            version=row["version"],
            merged_into=row["merged_into"],
            restricted=row["restricted"],
        )


async def registering_officer(session: AsyncSession, client_id: UUID) -> str | None:
    return (
        await session.execute(
            select(orm.clients.c.registered_by).where(orm.clients.c.id == client_id)
        )
    ).scalar_one_or_none()
