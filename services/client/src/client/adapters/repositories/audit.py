"""Who read which client's record, for what purpose: the `record_reads` audit trail."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import func, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from client.adapters import orm
from client.domain.model import Client
from shared.auth import RegionScope

# A page that refreshes a client's timeline every few seconds is one look, not hundreds:
# a read repeated by the same person, of the same part, for the same purpose, within this
# while is not written again. Reveals and partners' profiles are always written.
AUDIT_COALESCE = timedelta(minutes=15)


class ReadAudit:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(
        self,
        *,
        actor: str,
        username: str | None,
        client: Client,
        purpose: str,
        what: str = "client",
        reference: str | None = None,
        coalesce: bool = False,
    ) -> None:
        """One audited read of `what` (the record, its consents, timeline, cases) of a client."""
        row = orm.record_reads
        values = {
            "actor": actor,
            "actor_username": username,
            "record_type": what,
            "record_id": client.id,
            "region_code": client.region_code,
            "purpose": purpose,
            "reference": reference,
        }
        if not coalesce:
            await self._session.execute(insert(row).values(**values))
            return
        recent = (
            select(row.c.id)
            .where(
                row.c.record_id == client.id,
                row.c.actor == actor,
                row.c.record_type == what,
                row.c.purpose == purpose,
                row.c.read_at > func.now() - AUDIT_COALESCE,
            )
            .exists()
        )
        columns = list(values)
        await self._session.execute(
            insert(row).from_select(
                columns,
                select(*(literal(values[c], row.c[c].type) for c in columns)).where(~recent),
            )
        )

    async def list(
        self, scope: RegionScope, client_id: UUID | None, limit: int
    ) -> list[dict[str, Any]]:
        query = select(orm.record_reads).where(scope.filter(orm.record_reads.c.region_code))
        if client_id is not None:
            query = query.where(orm.record_reads.c.record_id == client_id)
        rows = await self._session.execute(
            query.order_by(orm.record_reads.c.id.desc()).limit(limit)
        )
        return [dict(r._mapping) for r in rows]
