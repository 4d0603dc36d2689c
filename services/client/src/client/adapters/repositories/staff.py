"""The staff directory: who works in which office, as their last sign-in said."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from client.adapters import orm
from shared.auth import RegionScope


class StaffDirectory:
    """Who works where, as their tokens said when they last signed in to the portal."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def enlist(self, subject: str, username: str, region_code: str, at: datetime) -> None:
        values = {"username": username, "region_code": region_code, "seen_at": at}
        await self._session.execute(
            pg_insert(orm.staff)
            .values(subject=subject, **values)
            .on_conflict_do_update(index_elements=["subject"], set_=values)
        )

    async def within(self, scope: RegionScope) -> list[dict[str, Any]]:
        rows = await self._session.execute(
            select(orm.staff)
            .where(scope.filter(orm.staff.c.region_code))
            .order_by(orm.staff.c.username)
        )
        return [dict(r._mapping) for r in rows]
