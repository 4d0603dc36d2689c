"""People's requests about their data (access, correction, restriction, erasure)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from uuid import UUID

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from client.adapters import orm
from client.domain.subject_request import SubjectRequest
from shared.auth import RegionScope


class SubjectRequests:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, request: SubjectRequest) -> None:
        await self._session.execute(
            insert(orm.subject_requests).values(**dataclasses.asdict(request))
        )

    async def save(self, request: SubjectRequest) -> None:
        await self._session.execute(
            update(orm.subject_requests)
            .where(orm.subject_requests.c.id == request.id)
            .values(done_at=request.done_at, done_by=request.done_by)
        )

    async def get(self, request_id: UUID, scope: RegionScope) -> SubjectRequest | None:
        row = (
            await self._session.execute(
                select(orm.subject_requests)
                .where(
                    orm.subject_requests.c.id == request_id,
                    scope.filter(orm.subject_requests.c.region_code),
                )
                .with_for_update()
            )
        ).first()
        return SubjectRequest(**row._mapping) if row else None

    async def find(
        self,
        scope: RegionScope,
        *,
        client_id: UUID | None,
        open_only: bool,
        due_before: datetime | None,
        limit: int,
    ) -> list[SubjectRequest]:
        table = orm.subject_requests
        query = select(table).where(scope.filter(table.c.region_code))
        if client_id is not None:
            query = query.where(table.c.client_id == client_id)
        if open_only:
            query = query.where(table.c.done_at.is_(None))
        if due_before is not None:
            query = query.where(table.c.due_at < due_before)
        rows = await self._session.execute(query.order_by(table.c.due_at, table.c.id).limit(limit))
        return [SubjectRequest(**r._mapping) for r in rows]
