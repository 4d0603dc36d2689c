"""Stored answers to retried requests are kept a day, not for ever; a reservation whose
request died frees its key. Real PostgreSQL (the client service's test database)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from client.adapters import orm
from shared import db, idempotency
from shared.db import upgrade
from support import stack

pytestmark = pytest.mark.integration


async def test_expired_answers_and_stuck_reservations_are_forgotten() -> None:
    url = stack.database_url("client", test=True)
    upgrade("client.migrations", url)
    engine = db.async_engine(url)
    table = orm.idempotency_keys
    now = datetime.now(UTC)
    principal = f"purge-{uuid.uuid4()}"
    rows = {
        "answered a day ago": (200, now - timedelta(hours=25)),
        "answered an hour ago": (201, now - timedelta(hours=1)),
        "reserved, never answered": (None, now - timedelta(minutes=20)),
        "reserved a minute ago": (None, now - timedelta(minutes=1)),
    }
    try:
        async with engine.begin() as conn:
            await conn.execute(
                insert(table),
                [
                    {
                        "principal": principal,
                        "key": key,
                        "request_hash": "h",
                        "status": status,
                        "body": b"{}" if status else None,
                        "created_at": at,
                    }
                    for key, (status, at) in rows.items()
                ],
            )
        freed = await idempotency.purge(engine, table, now)
        async with engine.connect() as conn:
            kept = set(
                (await conn.execute(select(table.c.key).where(table.c.principal == principal)))
                .scalars()
                .all()
            )
    finally:
        await engine.dispose()
    assert kept == {"answered an hour ago", "reserved a minute ago"}
    assert freed >= 2  # these two, and whatever else had expired in the test database
