"""`shared.db.BulkInsert` against real PostgreSQL: every value arrives as it was given (arrays
travel in binary), whatever the number of rows, and conflicts and RETURNING behave as in any
PostgreSQL insert.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Integer,
    LargeBinary,
    Table,
    Text,
    Uuid,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db import BulkInsert, async_engine, new_metadata, session_factory
from support import stack

pytestmark = pytest.mark.integration

metadata = new_metadata()
things = Table(
    f"bulk_insert_test_{uuid.uuid4().hex[:8]}",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", Text),
    Column("count", Integer),
    Column("flag", Boolean),
    Column("at", DateTime(timezone=True)),
    Column("blob", LargeBinary),
    Column("doc", JSONB),
)
COLUMNS = ("id", "name", "count", "flag", "at", "blob", "doc")
ADD = BulkInsert(
    things,
    COLUMNS,
    lambda insert: insert.on_conflict_do_nothing().returning(things.c.id),
)


@pytest.fixture
async def engine() -> AsyncIterator[AsyncEngine]:
    engine = async_engine(stack.database_url("notify", test=True), pool_size=1)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield engine
    async with engine.begin() as conn:
        await conn.execute(text(f"DROP TABLE {things.name}"))
    await engine.dispose()


def _row(i: int) -> dict[str, object]:
    return {
        "id": uuid.uuid4(),
        "name": None if i % 3 == 0 else f'name "{i}", with {{braces}} \\ and ünïcode',
        "count": None if i % 4 == 0 else 70_000 * i - 5,
        "flag": None if i % 5 == 0 else i % 2 == 0,
        "at": datetime(2026, 12, 6, tzinfo=UTC) + timedelta(microseconds=i),
        "blob": None if i % 6 == 0 else bytes([i % 256, 0, 255]),
        "doc": None if i % 7 == 0 else {"channels": ["sms", "email"], "n": i},
    }


async def test_bulk_rows_arrive_exactly_as_given_nulls_and_json_lists_included(
    engine: AsyncEngine,
) -> None:
    rows = [_row(i) for i in range(1, 1201)]
    sessions = session_factory(engine)
    async with sessions.begin() as session:
        inserted = await ADD.execute(session, rows[:1])
        assert list(inserted.scalars()) == [rows[0]["id"]]
        inserted = await ADD.execute(session, rows[1:])  # the same SQL for 1,199 rows
        assert set(inserted.scalars()) == {r["id"] for r in rows[1:]}
    async with sessions() as session:
        stored = {r.id: r._asdict() for r in await session.execute(select(things))}
    assert stored == {r["id"]: r for r in rows}


async def test_bulk_conflicts_are_skipped_and_not_returned(engine: AsyncEngine) -> None:
    first, second = _row(1), _row(2)
    sessions = session_factory(engine)
    async with sessions.begin() as session:
        await ADD.execute(session, [first])
        changed = dict(first, name="changed")
        returned = await ADD.execute(session, [changed, second])
        assert list(returned.scalars()) == [second["id"]]
    async with sessions() as session:
        assert (
            await session.scalar(select(things.c.name).where(things.c.id == first["id"]))
            == (first["name"])
        )
