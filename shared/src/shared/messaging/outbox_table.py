"""The outbox table every service declares in its own database, and the relay reads."""

from __future__ import annotations

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
