"""HTTP routes of the duplicate review (supervisors)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from client.entrypoints.dependencies import ContextDep, Supervisor, UowDep
from client.entrypoints.schemas.duplicates import (
    DuplicateFlagList,
    DuplicateFlagOut,
    MergeOut,
    MergeRequest,
)
from client.service_layer import duplicates

router = APIRouter(prefix="/api/client/duplicates", tags=["duplicates"])


@router.get("", response_model=DuplicateFlagList)
async def open_flags(
    user: Supervisor,
    uow: UowDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
    client_id: Annotated[UUID | None, Query(description="only flags naming this client")] = None,
) -> DuplicateFlagList:
    """Open flags of the supervisor's province, oldest first."""
    rows = await duplicates.open_flags(user, uow, limit, client_id)
    return DuplicateFlagList(items=[DuplicateFlagOut.model_validate(r) for r in rows])


@router.post("/{flag_id}/merge", response_model=MergeOut)
async def merge(
    flag_id: UUID, body: MergeRequest, user: Supervisor, uow: UowDep, ctx: ContextDep
) -> MergeOut:
    """Merge the pair: consents and cases move to the survivor; both records are kept."""
    survivor = await duplicates.merge(user, flag_id, body.keep, uow, ctx)
    return MergeOut(survivor_id=survivor)


@router.post("/{flag_id}/dismiss", status_code=status.HTTP_204_NO_CONTENT)
async def dismiss(flag_id: UUID, user: Supervisor, uow: UowDep, ctx: ContextDep) -> Response:
    await duplicates.dismiss(user, flag_id, uow, ctx)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
