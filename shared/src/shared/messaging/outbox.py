"""The transactional outbox: events written in the same transaction as the state they announce."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import BulkInsert
from shared.idempotency import record_effect
from shared.messaging.envelope import Envelope
from shared.telemetry import current_trace_headers

OUTBOX_TABLE = "outbox"


def outbox_table(metadata: MetaData) -> Table:
    return Table(
        OUTBOX_TABLE,
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("event_id", Uuid, nullable=False, unique=True),
        Column("topic", Text, nullable=False),
        Column("msg_key", Text, nullable=False),
        Column("event_type", Text, nullable=False),
        Column("source", Text, nullable=False),
        Column("subject", Text, nullable=False),
        Column("payload", JSONB, nullable=False),
        Column("trace_headers", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True)),
        # A row its destination refused: tried `attempts` times, next not before `retry_at`,
        # parked (left for an operator) at `parked_at`; `last_error` says why.
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("retry_at", DateTime(timezone=True)),
        Column("parked_at", DateTime(timezone=True)),
        Column("last_error", Text),
        Index("ix_outbox_pending", "id", postgresql_where=text("published_at IS NULL")),
        Index(
            "ix_outbox_held",
            "topic",
            "msg_key",
            "id",
            postgresql_where=text("published_at IS NULL AND retry_at IS NOT NULL"),
        ),
    )


_COLUMNS = (
    "event_id",
    "topic",
    "msg_key",
    "event_type",
    "source",
    "subject",
    "payload",
    "trace_headers",
    "created_at",
)


@cache
def _queue(table: Table) -> BulkInsert:
    return BulkInsert(table, _COLUMNS)


async def add_to_outbox(
    session: AsyncSession, table: Table, topic: str, envelopes: Iterable[Envelope]
) -> None:
    """Queue events in the caller's transaction; the relay publishes them after commit.

    Within a request with an Idempotency-Key, the same transaction marks the key as applied,
    so that no retry can run the request a second time (shared.idempotency)."""
    trace_headers = current_trace_headers()
    rows = [
        {
            "event_id": e.id,
            "topic": topic,
            "msg_key": e.key,
            "event_type": e.type,
            "source": e.source,
            "subject": e.subject,
            "payload": e.data,
            "trace_headers": (dict(e.trace_headers) or trace_headers) | dict(e.extra_headers),
            "created_at": e.time,
        }
        for e in envelopes
    ]
    if rows:
        await _queue(table).execute(session, rows)
        await record_effect(session)
