"""What training knows of clients: their region and initials (never a name), from client events.

The region decides who may enrol a client and see their record; the initials are all a
certificate shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from training.adapters import orm


@dataclass(frozen=True)
class ClientFacts:
    region_code: str
    initials: str


class ClientDirectory:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, client_id: UUID) -> ClientFacts | None:
        row = (
            await self._session.execute(
                select(orm.client_facts).where(orm.client_facts.c.client_id == client_id)
            )
        ).first()
        return None if row is None else ClientFacts(row.region_code, row.initials)

    async def many(self, client_ids: Sequence[UUID]) -> dict[UUID, ClientFacts]:
        if not client_ids:
            return {}
        rows = await self._session.execute(
            select(orm.client_facts).where(orm.client_facts.c.client_id.in_(client_ids))
        )
        return {r.client_id: ClientFacts(r.region_code, r.initials) for r in rows}

    async def remember(self, client_id: UUID, facts: ClientFacts) -> None:
        values = {"region_code": facts.region_code, "initials": facts.initials}
        await self._session.execute(
            insert(orm.client_facts)
            .values(client_id=client_id, **values)
            .on_conflict_do_update(index_elements=["client_id"], set_=values)
        )

    async def move(self, client_id: UUID, region_code: str) -> None:
        await self._session.execute(
            update(orm.client_facts)
            .where(orm.client_facts.c.client_id == client_id)
            .values(region_code=region_code)
        )

    async def forget(self, client_id: UUID) -> None:
        await self._session.execute(
            delete(orm.client_facts).where(orm.client_facts.c.client_id == client_id)
        )
