"""The portal's own table: server-side sessions (the browser holds only a random id)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, LargeBinary, Table, Text, func

from shared.db import new_metadata

metadata = new_metadata()

sessions = Table(
    "sessions",
    metadata,
    Column("id_hash", LargeBinary, primary_key=True),  # SHA-256 of the cookie value
    Column("payload", LargeBinary, nullable=False),  # AES-GCM: tokens, user, pending login
    Column("csrf_token", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_sessions_expires_at", "expires_at"),
)
