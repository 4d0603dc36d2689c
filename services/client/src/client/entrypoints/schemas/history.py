"""The HTTP shapes of a client's history: its timeline and the audit of who read it."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field


class TimelineEntry(BaseModel):
    event_id: UUID
    event_type: str
    source: str
    occurred_at: datetime
    summary: dict[str, Any]


class TimelinePage(BaseModel):
    items: list[TimelineEntry]
    next_cursor: str | None


class AuditEntry(BaseModel):
    actor: str
    actor_username: str | None
    record_id: UUID
    record_type: str = Field(
        description="What was read: client (the record), consents, timeline or cases"
    )
    purpose: str
    reference: str | None = Field(default=None, description="e.g. the referral a partner read")
    read_at: datetime


class AuditPage(BaseModel):
    items: list[AuditEntry]
