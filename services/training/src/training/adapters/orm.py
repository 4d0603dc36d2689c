"""The training service's tables (SQLAlchemy Core); migrations mirror these."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB

from shared.db import new_metadata
from shared.idempotency import idempotency_table
from shared.messaging.inbox import inbox_table
from shared.messaging.outbox_table import outbox_table

metadata = new_metadata()

programmes = Table(
    "programmes",
    metadata,
    Column("code", Text, primary_key=True),
    Column("title", Text, nullable=False),
    Column("modules", JSONB, nullable=False),
    Column("duration_hours", Integer, nullable=False),
    Column("audience", Text, nullable=False),
    Column("language", Text, nullable=False),
    Column("min_attendance", Numeric(5, 4), nullable=False),
    Column("min_post_score", Integer, nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("programme_code", Text, ForeignKey("programmes.code"), nullable=False),
    Column("region_code", Text, nullable=False),
    Column("days", JSONB, nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("venue", Text),
    Column("online_link", Text),
    Column("trainer", Text, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("cancelled", Boolean, nullable=False),
    Index("ix_sessions_region_code", "region_code"),
)

enrolments = Table(
    "enrolments",
    metadata,
    Column("session_id", Uuid, ForeignKey("sessions.id"), nullable=False),
    Column("participant", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("pre_score", Integer),
    Column("post_score", Integer),
    Column("attended", JSONB, nullable=False),
    Column("completed_at", DateTime(timezone=True)),
    Column("certificate_code", Text, unique=True),
    PrimaryKeyConstraint("session_id", "participant"),
    Index("ix_enrolments_participant", "participant"),
)

# Certificates verify publicly: only initials, programme, date and validity are kept here.
certificates = Table(
    "certificates",
    metadata,
    Column("code", Text, primary_key=True),
    Column("initials", Text, nullable=False),
    Column("programme_code", Text, nullable=False),
    Column("programme_title", Text, nullable=False),
    Column("completed_on", Date, nullable=False),
    Column("valid", Boolean, nullable=False),
    Column("session_id", Uuid),
    Column("region_code", Text),
)

# One row per attendance sheet applied to a session: a second upload of the same file is a replay.
attendance_imports = Table(
    "attendance_imports",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("session_id", Uuid, ForeignKey("sessions.id"), nullable=False),
    Column("file_sha256", Text, nullable=False),
    Column("filename", Text, nullable=False),
    Column("uploaded_by", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("rows", Integer, nullable=False),
    Column("recorded", Integer, nullable=False),
    Column("rejected", JSONB, nullable=False),
    UniqueConstraint("session_id", "file_sha256"),
)

# What client events tell the training service: region and initials, never a name.
client_facts = Table(
    "client_facts",
    metadata,
    Column("client_id", Uuid, primary_key=True),
    Column("region_code", Text, nullable=False),
    Column("initials", Text, nullable=False),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
idempotency_keys = idempotency_table(metadata)
