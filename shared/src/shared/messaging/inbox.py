"""The inbox: a consumer's record of handled event ids, committed with the effect itself."""

from __future__ import annotations

from functools import cache
from uuid import UUID

from sqlalchemy import Column, DateTime, MetaData, Table, Text, Uuid, func
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import BulkInsert

INBOX_TABLE = "inbox"


def inbox_table(metadata: MetaData) -> Table:
    return Table(
        INBOX_TABLE,
        metadata,
        Column("consumer", Text, primary_key=True),
        Column("event_id", Uuid, primary_key=True),
        Column("event_type", Text, nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


@cache
def _claim(table: Table) -> BulkInsert:
    return BulkInsert(
        table,
        ("consumer", "event_id", "event_type"),
        lambda insert: insert.on_conflict_do_nothing().returning(table.c.event_id),
    )


async def claim_all(
    session: AsyncSession, table: Table, consumer: str, events: list[tuple[UUID, str]]
) -> set[UUID]:
    """Record events (id, type) as handled by `consumer`, in one statement; the ids that were
    not recorded before (the others are redeliveries).

    Call inside the effects' transaction: if the effects roll back, so do the claims.
    """
    if not events:
        return set()
    unique = dict(events)  # one row per id, whatever the batch repeats
    rows = [{"consumer": consumer, "event_id": i, "event_type": t} for i, t in unique.items()]
    claimed = await _claim(table).execute(session, rows)
    return set(claimed.scalars())
