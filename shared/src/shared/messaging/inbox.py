"""The inbox: a consumer's record of handled event ids, committed with the effect itself."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, MetaData, Table, Text, Uuid, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

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


async def claim(
    session: AsyncSession, table: Table, consumer: str, event_id: object, event_type: str
) -> bool:
    """Record the event as handled by `consumer`; False when it already was (a redelivery).

    Call inside the effect's transaction: if the effect rolls back, so does the claim.
    """
    statement = (
        insert(table)
        .values(consumer=consumer, event_id=event_id, event_type=event_type)
        .on_conflict_do_nothing()
        .returning(table.c.event_id)
    )
    return (await session.execute(statement)).first() is not None


async def seen(session: AsyncSession, table: Table, consumer: str, event_id: object) -> bool:
    row = await session.execute(
        select(table.c.event_id).where(table.c.consumer == consumer, table.c.event_id == event_id)
    )
    return row.first() is not None
