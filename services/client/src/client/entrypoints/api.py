"""HTTP routes of client intake: parse, call a handler, shape the response."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from client.domain.model import InvalidClient
from client.entrypoints.dependencies import CaseWorker, UowDep
from client.entrypoints.schemas import ClientOut, ClientPage, NewClient
from client.service_layer import commands, handlers
from shared.problems import Conflict, FieldError, Invalid, NotFound

router = APIRouter(prefix="/api/clients", tags=["clients"])


def _now() -> datetime:
    return datetime.now(UTC)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ClientOut)
async def register_client(body: NewClient, user: CaseWorker, uow: UowDep) -> ClientOut:
    command = commands.RegisterClient(actor=user, **body.model_dump())
    try:
        client = await handlers.register_client(command, uow, _now)
    except InvalidClient as exc:
        raise Invalid([FieldError(exc.field, exc.message)]) from None
    except handlers.NikAlreadyRegistered as exc:
        extra = {"existing_client_id": str(exc.client_id)} if exc.client_id else {}
        raise Conflict("This NIK is already registered.", "duplicate-nik", **extra) from None
    return ClientOut.of(client)


@router.get("", response_model=ClientPage)
async def list_clients(
    user: CaseWorker,
    uow: UowDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: UUID | None = None,
) -> ClientPage:
    clients = await handlers.list_clients(user, uow, limit, cursor)
    next_cursor = str(clients[-1].id) if len(clients) == limit else None
    return ClientPage(items=[ClientOut.of(c) for c in clients], next_cursor=next_cursor)


@router.get(
    "/{client_id}",
    response_model=ClientOut,
    responses={404: {"description": "not found or outside your region"}},
)
async def get_client(client_id: UUID, user: CaseWorker, uow: UowDep) -> ClientOut:
    client = await handlers.read_client(client_id, user, uow)
    if client is None:
        raise NotFound("client")
    return ClientOut.of(client)
