"""Writing the transactional outbox: events in the same transaction as the state they announce.

Only the unit of work (`shared.unit_of_work`) writes here, so no use case can change state and
forget to announce it; an import contract in pyproject.toml keeps it so. The table itself is
`shared.messaging.outbox_table`, which every service's ORM and the relay read."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from sqlalchemy import (
    Table,
)
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import BulkInsert
from shared.idempotency import record_effect
from shared.messaging.envelope import Envelope
from shared.telemetry import current_trace_headers

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
