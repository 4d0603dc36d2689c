"""The referral service's tables (SQLAlchemy Core); migrations mirror these."""

from __future__ import annotations

from shared.db import new_metadata
from shared.messaging.inbox import inbox_table
from shared.messaging.outbox import outbox_table

metadata = new_metadata()

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
