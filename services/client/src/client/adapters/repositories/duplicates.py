"""Likely duplicates, flagged in SQL, and the merge that resolves one."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from client.adapters import orm
from shared.auth import RegionScope

_FLAG_NEW = text(
    """
    INSERT INTO duplicate_flags (id, client_id, candidate_id, region_code, reason)
    SELECT gen_random_uuid(), n.id, c.id, n.region_code,
           CASE WHEN c.phone = n.phone THEN 'same_phone' ELSE 'same_name_and_birth_date' END
    FROM clients n
    JOIN clients c
      ON c.region_code = n.region_code
     AND c.merged_into IS NULL
     AND (c.registered_at, c.id) < (n.registered_at, n.id)
     AND (c.phone = n.phone
          OR (c.name_normalized = n.name_normalized AND c.birth_date = n.birth_date))
    WHERE n.id = ANY(:ids)
    ON CONFLICT DO NOTHING
    RETURNING id, client_id, candidate_id, region_code, reason, flagged_at, status
    """
)


class DuplicateRepository:
    """Likely duplicates: the same phone, or the same name and birth date, in one regency."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def flag_new(self, client_ids: list[UUID]) -> list[dict[str, Any]]:
        if not client_ids:
            return []
        rows = await self._session.execute(_FLAG_NEW, {"ids": client_ids})
        return [dict(r._mapping) for r in rows]

    async def open_flags(
        self, scope: RegionScope, limit: int, client_id: UUID | None = None
    ) -> list[dict[str, Any]]:
        flags = orm.duplicate_flags
        query = (
            select(flags)
            .where(scope.filter(flags.c.region_code), flags.c.status == "open")
            .order_by(flags.c.flagged_at)
            .limit(limit)
        )
        if client_id is not None:
            query = query.where(
                or_(flags.c.client_id == client_id, flags.c.candidate_id == client_id)
            )
        rows = await self._session.execute(query)
        return [dict(r._mapping) for r in rows]

    async def get(self, flag_id: UUID, scope: RegionScope) -> dict[str, Any] | None:
        row = (
            await self._session.execute(
                select(orm.duplicate_flags)
                .where(
                    orm.duplicate_flags.c.id == flag_id,
                    scope.filter(orm.duplicate_flags.c.region_code),
                )
                .with_for_update()
            )
        ).first()
        return dict(row._mapping) if row else None

    async def resolve(self, flag_id: UUID, status: str, by: str, at: datetime) -> None:
        await self._session.execute(
            update(orm.duplicate_flags)
            .where(orm.duplicate_flags.c.id == flag_id)
            .values(status=status, resolved_by=by, resolved_at=at)
        )

    async def merge(self, merged: UUID, survivor: UUID) -> None:
        """Point the duplicate at the survivor and move its consents and cases over."""
        await self._session.execute(
            update(orm.clients).where(orm.clients.c.id == merged).values(merged_into=survivor)
        )
        for table in (orm.consents, orm.cases):
            await self._session.execute(
                update(table).where(table.c.client_id == merged).values(client_id=survivor)
            )
