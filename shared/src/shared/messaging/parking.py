"""What an operator sees of and does with the outbox rows a relay parked
(shared.messaging.relay): list them with their reasons, and, once the cause is fixed (the
topic made, the ACL granted), hand them back to the relay."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, text

from shared.messaging.wakeup import CHANNEL

# `behind`: rows of the same topic and key that wait for it, to keep their order.
_PARKED = text(
    "SELECT o.id, o.event_id, o.topic, o.msg_key, o.event_type, o.created_at, o.attempts,"
    " o.parked_at, o.last_error,"
    " (SELECT count(*) FROM outbox b WHERE b.published_at IS NULL AND b.topic = o.topic"
    "  AND b.msg_key = o.msg_key AND b.id > o.id) AS behind"
    " FROM outbox o WHERE o.published_at IS NULL AND o.parked_at IS NOT NULL"
    " ORDER BY o.id LIMIT :n"
)
_RETRY_ALL = text(
    "UPDATE outbox SET parked_at = NULL, attempts = 0, retry_at = now()"
    " WHERE published_at IS NULL AND parked_at IS NOT NULL"
)
_RETRY = text(
    "UPDATE outbox SET parked_at = NULL, attempts = 0, retry_at = now()"
    " WHERE published_at IS NULL AND parked_at IS NOT NULL AND id = ANY(:ids)"
)
_WAKE_RELAY = text(f"SELECT pg_notify('{CHANNEL}', '')")


@dataclass(frozen=True)
class ParkedRow:
    id: int
    event_id: str
    topic: str
    key: str  # an aggregate's id (a referral, a client), never a person's identifier
    event_type: str
    created_at: datetime
    attempts: int
    parked_at: datetime
    reason: str
    behind: int


def parked_rows(conn: Connection, limit: int = 100) -> list[ParkedRow]:
    """The oldest parked rows of this service's outbox."""
    return [
        ParkedRow(
            id=row.id,
            event_id=str(row.event_id),
            topic=row.topic,
            key=row.msg_key,
            event_type=row.event_type,
            created_at=row.created_at,
            attempts=row.attempts,
            parked_at=row.parked_at,
            reason=row.last_error or "",
            behind=row.behind,
        )
        for row in conn.execute(_PARKED, {"n": limit})
    ]


def retry_parked(conn: Connection, ids: Sequence[int] | None = None) -> int:
    """Give parked rows (all, or those of `ids`) back to the relay, which tries them at once
    and parks them again if their destination still refuses; returns how many."""
    result = conn.execute(_RETRY_ALL) if ids is None else conn.execute(_RETRY, {"ids": list(ids)})
    if result.rowcount:
        conn.execute(_WAKE_RELAY)
    return int(result.rowcount)
