"""The notify service's tables (SQLAlchemy Core); migrations mirror these."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, Table, Text, UniqueConstraint, Uuid, func

from shared.db import new_metadata
from shared.messaging.inbox import inbox_table
from shared.messaging.outbox import outbox_table

metadata = new_metadata()

# One row per message a client should receive, answering exactly one event.
notifications = Table(
    "notifications",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("event_id", Uuid, nullable=False),
    Column("client_id", Uuid, nullable=False),
    Column("region_code", Text, nullable=False),
    Column("template", Text, nullable=False),
    Column("language", Text, nullable=False),
    Column("channel", Text),
    Column("status", Text, nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("event_id", "template"),
    Index("ix_notifications_client_id", "client_id"),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
