"""The client service's tables (SQLAlchemy Core); migrations mirror these."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Index,
    LargeBinary,
    Table,
    Text,
    Uuid,
    func,
)

from shared.db import new_metadata
from shared.messaging.inbox import inbox_table
from shared.messaging.outbox import outbox_table

metadata = new_metadata()

clients = Table(
    "clients",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("kind", Text, nullable=False),
    # NIK: AES-GCM ciphertext, a keyed HMAC index for exact lookup, and the masked form.
    Column("nik_ciphertext", LargeBinary, nullable=False),
    Column("nik_index", LargeBinary, nullable=False, unique=True),
    Column("nik_masked", Text, nullable=False),
    Column("full_name", Text, nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("sex", Text, nullable=False),
    Column("phone", Text, nullable=False),
    Column("email", Text),
    Column("region_code", Text, nullable=False),
    Column("preferred_language", Text, nullable=False),
    Column("disability", Boolean, nullable=False),
    Column("registered_at", DateTime(timezone=True), nullable=False),
    Column("registered_by", Text, nullable=False),
    CheckConstraint("kind IN ('worker', 'business')", name="kind"),
    CheckConstraint("sex IN ('F', 'M')", name="sex"),
    Index(
        "ix_clients_region_code", "region_code", postgresql_ops={"region_code": "text_pattern_ops"}
    ),
)

# Every read of a person's record by a user: who, when, which record, why (DESIGN.md §7).
record_reads = Table(
    "record_reads",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("actor", Text, nullable=False),
    Column("actor_username", Text),
    Column("record_type", Text, nullable=False),
    Column("record_id", Uuid, nullable=False),
    Column("region_code", Text, nullable=False),
    Column("purpose", Text, nullable=False),
    Column("read_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_record_reads_record_id", "record_id"),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
