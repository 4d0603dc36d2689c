"""HTTP routes of suspected personal-data breaches (administrators; supervisors read)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import PlainTextResponse

from client.entrypoints.breach_schemas import (
    AffectedClientOut,
    AffectedPage,
    AuthorityNotified,
    BreachOut,
    BreachPage,
    NewBreach,
)
from client.entrypoints.dependencies import Admin, BreachReader, ContextDep, UowDep
from client.service_layer import breaches
from shared import db
from shared.auth import Principal

router = APIRouter(prefix="/api/client/breaches", tags=["breaches"])
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no such breach"}}
ALREADY: dict[int | str, dict[str, Any]] = {409: {"description": "already done for this breach"}}


@contextlib.contextmanager
def _rows_of(user: Principal) -> Iterator[None]:
    """An administrator's token names no region, and a breach spans regions: their
    transactions see every region's rows, and each query names the breach's own regions.
    A supervisor's stay within the province (decision 0011)."""
    if breaches.ADMIN in user.roles:
        with db.all_regions():
            yield
    else:
        yield


@router.post("", status_code=status.HTTP_201_CREATED, response_model=BreachOut)
async def record_breach(body: NewBreach, user: Admin, uow: UowDep, ctx: ContextDep) -> BreachOut:
    """Record a suspected breach; the 3 x 24-hour deadline to tell the people and the
    authority runs from `found_at` (UU 27/2022 Pasal 46). The answer counts the clients it
    may touch by regency, and names none of them."""
    command = breaches.RecordBreach(
        actor=user,
        category=body.category,
        description=body.description,
        handling=body.handling,
        data_kinds=tuple(body.data_kinds),
        systems=tuple(body.systems),
        found_at=body.found_at,
        period_from=body.period.start,
        period_to=body.period.to,
        regions=tuple(body.regions),
    )
    with _rows_of(user):
        breach = await breaches.record_breach(command, uow, ctx)
    return BreachOut.of(breach, ctx.now())


@router.get("", response_model=BreachPage)
async def list_breaches(
    user: BreachReader,
    uow: UowDep,
    ctx: ContextDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: UUID | None = None,
) -> BreachPage:
    """Breaches, the most recently recorded first: every one for an administrator, those
    concerning the province for a supervisor."""
    with _rows_of(user):
        found = await breaches.breaches_for(user, uow, limit, cursor)
    next_cursor = str(found[-1].id) if len(found) == limit else None
    now = ctx.now()
    return BreachPage(items=[BreachOut.of(b, now) for b in found], next_cursor=next_cursor)


@router.get("/{breach_id}", response_model=BreachOut, responses=NOT_FOUND)
async def get_breach(
    breach_id: UUID, user: BreachReader, uow: UowDep, ctx: ContextDep
) -> BreachOut:
    with _rows_of(user):
        return BreachOut.of(await breaches.read_breach(breach_id, user, uow), ctx.now())


@router.get("/{breach_id}/affected", response_model=AffectedPage, responses=NOT_FOUND)
async def affected(
    breach_id: UUID,
    user: Admin,
    uow: UowDep,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    cursor: UUID | None = None,
) -> AffectedPage:
    """The client records the breach may have touched, by its rule, from the live tables:
    ids and regions, no names. Each one listed is an audited read (purpose `breach`)."""
    response.headers["Cache-Control"] = "no-store"
    with _rows_of(user):
        page = await breaches.affected_clients(breach_id, user, uow, limit, cursor)
    items = [
        AffectedClientOut(
            client_id=c.id,
            region_code=c.region_code,
            registered_at=c.registered_at,
            preferred_language=c.preferred_language,
        )
        for c in page
    ]
    next_cursor = str(page[-1].id) if len(page) == limit else None
    return AffectedPage(items=items, next_cursor=next_cursor)


@router.post(
    "/{breach_id}/notify-people", response_model=BreachOut, responses={**NOT_FOUND, **ALREADY}
)
async def notify_people(breach_id: UUID, user: Admin, uow: UowDep, ctx: ContextDep) -> BreachOut:
    """Approve the notices: notify tells each affected person, in Indonesian or English, over
    the channels they consented to. Once per breach."""
    with _rows_of(user):
        breach = await breaches.notify_people(breach_id, user, uow, ctx)
    return BreachOut.of(breach, ctx.now())


@router.get(
    "/{breach_id}/authority-notice",
    response_class=PlainTextResponse,
    responses=NOT_FOUND,
)
async def authority_notice(
    breach_id: UUID, user: Admin, uow: UowDep, ctx: ContextDep
) -> PlainTextResponse:
    """The draft letter to the authority, in Indonesian, with what Pasal 46 ayat 2 asks for
    and counts only: to review, sign and send."""
    with _rows_of(user):
        letter = await breaches.letter_to_authority(breach_id, user, uow, ctx)
    return PlainTextResponse(
        letter,
        headers={
            "Content-Disposition": f'attachment; filename="pemberitahuan-insiden-{breach_id}.txt"'
        },
    )


@router.post(
    "/{breach_id}/authority-notified", response_model=BreachOut, responses={**NOT_FOUND, **ALREADY}
)
async def authority_notified(
    breach_id: UUID, body: AuthorityNotified, user: Admin, uow: UowDep, ctx: ContextDep
) -> BreachOut:
    """Record when the letter went to the authority."""
    with _rows_of(user):
        breach = await breaches.record_authority_notified(
            breach_id, user, body.notified_at, uow, ctx
        )
    return BreachOut.of(breach, ctx.now())
