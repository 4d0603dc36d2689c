"""HTTP routes of notify: the message log per client."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from notify.adapters.repository import NotificationRepository
from shared.auth import Principal, require_roles

router = APIRouter(prefix="/api/notifications", tags=["notifications"])
CaseWorker = Annotated[Principal, Depends(require_roles("officer", "supervisor"))]


class NotificationOut(BaseModel):
    id: UUID
    event_id: UUID
    client_id: UUID
    template: str
    language: str
    channel: str | None
    status: str
    attempts: int
    created_at: datetime
    updated_at: datetime


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None = None


@router.get("", response_model=NotificationPage)
async def list_notifications(
    client_id: UUID, user: CaseWorker, request: Request
) -> NotificationPage:
    async with request.app.state.container.sessions() as session:
        rows = await NotificationRepository(session).for_client(client_id, user.scope)
    return NotificationPage(items=[NotificationOut.model_validate(r) for r in rows])
