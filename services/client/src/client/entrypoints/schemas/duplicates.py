"""The HTTP shapes of likely duplicates and the merge that resolves one."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class DuplicateFlagOut(BaseModel):
    id: UUID
    client_id: UUID
    candidate_id: UUID
    reason: str
    status: str
    flagged_at: datetime


class DuplicateFlagList(BaseModel):
    items: list[DuplicateFlagOut]


class MergeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    keep: UUID | None = Field(
        default=None, description="the client that survives; default: the earlier one"
    )


class MergeOut(BaseModel):
    survivor_id: UUID
