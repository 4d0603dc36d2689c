"""The relay's statements on the outbox table: which rows are due, marking them sent (and
emptying their payload), and deferring the rows a destination refused.

Rows are claimed with `FOR UPDATE SKIP LOCKED` by their published flag, never by "last id
seen", because ids are assigned at insert and a slow transaction can commit a lower id after
a higher one. A refused row is tried again after 1, 2, 4 … seconds (`Retries.base`, at most
`Retries.cap`) and, after `Retries.park_after` attempts, parked with its reason for an
operator (shared.messaging.parking); rows with the same topic and key wait behind it, so
per-key order holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import text

# Due rows, oldest first, but none behind a row of the same topic and key that is waiting or
# parked (`ix_outbox_held` answers the NOT EXISTS, and is empty while all goes well).
CLAIM = text(
    "SELECT id, event_id, topic, msg_key, event_type, source, subject, payload, trace_headers,"
    " created_at FROM outbox o WHERE published_at IS NULL AND parked_at IS NULL"
    " AND (retry_at IS NULL OR retry_at <= now())"
    " AND NOT EXISTS (SELECT 1 FROM outbox held WHERE held.published_at IS NULL"
    " AND held.retry_at IS NOT NULL AND held.topic = o.topic AND held.msg_key = o.msg_key"
    " AND held.id < o.id AND (held.parked_at IS NOT NULL OR held.retry_at > now()))"
    " ORDER BY id LIMIT :n FOR UPDATE OF o SKIP LOCKED"
)
MARK = text("UPDATE outbox SET published_at = now(), payload = '{}'::jsonb WHERE id = ANY(:ids)")
# `attempts` on the right is the value before this update.
DEFER = text(
    "UPDATE outbox SET attempts = attempts + 1, last_error = :reason,"
    " retry_at = now() + make_interval(secs => least(:base * 2 ^ attempts, :cap)),"
    " parked_at = CASE WHEN attempts + 1 >= :park_after THEN now() END"
    " WHERE id = ANY(:ids)"
)
# Rows published before payloads were emptied on publishing, or by an older relay.
EMPTY_PUBLISHED = text(
    "UPDATE outbox SET payload = '{}'::jsonb"
    " WHERE published_at IS NOT NULL AND payload <> '{}'::jsonb"
)
BACKLOG = text("SELECT count(*) FROM outbox WHERE published_at IS NULL AND parked_at IS NULL")
PARKED = text("SELECT count(*) FROM outbox WHERE published_at IS NULL AND parked_at IS NOT NULL")
DELETE_PUBLISHED = text("DELETE FROM outbox WHERE published_at < now() - :keep")

RETRY_BASE = timedelta(seconds=1)  # a refused row's first wait; doubled at each attempt
RETRY_CAP = timedelta(minutes=1)
PARK_AFTER = 8  # attempts: about two minutes after the first refusal


@dataclass(frozen=True)
class Retries:
    """How a row its destination refuses is retried, then parked."""

    base: timedelta = RETRY_BASE
    cap: timedelta = RETRY_CAP
    park_after: int = PARK_AFTER

    def deferral(self, reason: str, ids: list[int]) -> dict[str, Any]:
        """The parameters of `DEFER` for these rows, refused for this reason."""
        return {
            "ids": ids,
            "reason": reason,
            "base": self.base.total_seconds(),
            "cap": self.cap.total_seconds(),
            "park_after": self.park_after,
        }


DEFAULT_RETRIES = Retries()
