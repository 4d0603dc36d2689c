"""A client's timeline: read page by page, written by the worker one batch at a time."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from client.adapters import orm
from client.adapters.repositories.erasures import Erasures
from shared.db import BulkInsert


class Timeline:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def for_client(
        self, client_id: UUID, limit: int, before: datetime | None
    ) -> list[dict[str, Any]]:
        query = select(orm.timeline_entries).where(orm.timeline_entries.c.client_id == client_id)
        if before is not None:
            query = query.where(orm.timeline_entries.c.occurred_at < before)
        rows = await self._session.execute(
            query.order_by(orm.timeline_entries.c.occurred_at.desc()).limit(limit)
        )
        return [dict(r._mapping) for r in rows]


_TIMELINE_ENTRIES = BulkInsert(
    orm.timeline_entries,
    ("client_id", "event_id", "event_type", "source", "occurred_at", "summary"),
)


class TimelineWriter:
    """The timeline entries of one consumer transaction, written in one statement at its end."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._rows: list[dict[str, Any]] = []

    def record(
        self,
        *,
        client_id: UUID,
        event_id: UUID,
        event_type: str,
        source: str,
        occurred_at: datetime,
        summary: dict[str, Any],
    ) -> None:
        self._rows.append(
            {
                "client_id": client_id,
                "event_id": event_id,
                "event_type": event_type,
                "source": source,
                "occurred_at": occurred_at,
                "summary": summary,
            }
        )

    async def flush(self) -> None:
        if self._rows:
            # What other services say of a client after the erasure stays off the timeline.
            erased = await Erasures(self._session).erased(
                list({r["client_id"] for r in self._rows})
            )
            rows = [r for r in self._rows if r["client_id"] not in erased]
            if rows:
                await _TIMELINE_ENTRIES.execute(self._session, rows)
            self._rows = []
