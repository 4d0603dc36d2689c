"""The notify service's tables (SQLAlchemy Core); migrations mirror these."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
)

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
    # One message per client, template and event: redelivery never sends twice.
    UniqueConstraint("event_id", "template", "client_id"),
    Index("ix_notifications_client_id", "client_id"),
)

# What client events tell notify: where a client lives (time zone, scope) and their language.
client_facts = Table(
    "client_facts",
    metadata,
    Column("client_id", Uuid, primary_key=True),
    Column("region_code", Text, nullable=False),
    Column("language", Text, nullable=False),
)

# Training sessions as training events describe them, for reminders and change notices.
training_sessions = Table(
    "training_sessions",
    metadata,
    Column("session_id", Uuid, primary_key=True),
    Column("programme_title", Text, nullable=False),
    Column("region_code", Text, nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("cancelled", Boolean, nullable=False, server_default="false"),
    # The start time the 24-hour reminder was sent for; a moved session is reminded again.
    Column("reminded_for", DateTime(timezone=True)),
    Index("ix_training_sessions_starts_at", "starts_at"),
)

training_participants = Table(
    "training_participants",
    metadata,
    Column("session_id", Uuid, nullable=False),
    Column("client_id", Uuid, nullable=False),
    Column("status", Text, nullable=False),  # enrolled | waiting | cancelled
    PrimaryKeyConstraint("session_id", "client_id"),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
