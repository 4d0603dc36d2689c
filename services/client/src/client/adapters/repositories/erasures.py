"""Erasure: what the client service deletes of a client, and the ledger that remembers it."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, or_, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from client.adapters import orm
from client.domain.model import Client

_ANSWER_NAMES = text("position(convert_to(:id, 'UTF8') IN body) > 0")


class Erasures:
    """Deleting what the client service keeps of a client, and the ledger that remembers it."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def erase(self, client: Client, request_id: UUID, at: datetime) -> list[UUID]:
        """Delete the client, the duplicates merged into it (the same person), and everything
        about them; returns the erased client ids. Read audits stay: they name the record
        by id only and account for who looked."""
        merged = (
            await self._session.execute(
                select(orm.clients.c.id).where(orm.clients.c.merged_into == client.id)
            )
        ).scalars()
        ids = [client.id, *merged]
        cases = select(orm.cases.c.id).where(orm.cases.c.client_id.in_(ids))
        for table in (orm.case_notes, orm.tasks, orm.case_attachments):
            await self._session.execute(delete(table).where(table.c.case_id.in_(cases)))
        await self._session.execute(delete(orm.cases).where(orm.cases.c.client_id.in_(ids)))
        await self._session.execute(delete(orm.consents).where(orm.consents.c.client_id.in_(ids)))
        flags = orm.duplicate_flags
        await self._session.execute(
            delete(flags).where(or_(flags.c.client_id.in_(ids), flags.c.candidate_id.in_(ids)))
        )
        await self._session.execute(
            delete(orm.timeline_entries).where(orm.timeline_entries.c.client_id.in_(ids))
        )
        await self._session.execute(
            delete(orm.client_keys).where(orm.client_keys.c.client_id.in_(ids))
        )
        await self._session.execute(delete(orm.clients).where(orm.clients.c.id.in_(ids)))
        # A keyed request's stored answer (kept 24 hours) may be the client's own record.
        for client_id in ids:
            await self._session.execute(
                delete(orm.idempotency_keys).where(_ANSWER_NAMES.bindparams(id=str(client_id)))
            )
        await self._session.execute(
            pg_insert(orm.client_erasures)
            .values(
                [
                    {
                        "client_id": i,
                        "region_code": client.region_code,
                        "request_id": request_id,
                        "erased_at": at,
                    }
                    for i in ids
                ]
            )
            .on_conflict_do_nothing()
        )
        return ids

    async def erased(self, client_ids: list[UUID]) -> set[UUID]:
        """Which of these clients were erased (a late event must not bring them back)."""
        if not client_ids:
            return set()
        rows = await self._session.execute(
            select(orm.client_erasures.c.client_id).where(
                orm.client_erasures.c.client_id.in_(client_ids)
            )
        )
        return set(rows.scalars())
