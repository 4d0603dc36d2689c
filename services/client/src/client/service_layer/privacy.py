"""A client's rights over their data: see it, correct it, restrict it, erase it.

Each request is recorded with its deadline (`domain/subject_request.py`); access, restriction
and erasure are answered in the same transaction that records them (or that answers a request
recorded earlier), a correction when the officer marks it done after changing the record.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from client.domain.model import Client
from client.domain.subject_request import InvalidRequest, SubjectRequest
from client.service_layer.handlers import ClientNotFound, Context
from client.service_layer.unit_of_work import UnitOfWork
from shared.auth import Principal
from shared.errors import NotFound

TIMELINE_IN_EXPORT = 1000


class RequestNotFound(NotFound):
    """No such request in the caller's region (404)."""

    def __init__(self) -> None:
        super().__init__("request")


@dataclass(frozen=True)
class RecordRequest:
    actor: Principal
    client_id: UUID
    kind: str
    received_at: datetime | None = None


@dataclass(frozen=True)
class Restrict:
    actor: Principal
    client_id: UUID
    restricted: bool
    request_id: UUID | None = None


@dataclass(frozen=True)
class Erase:
    actor: Principal
    client_id: UUID
    request_id: UUID | None = None


async def _client(uow: UnitOfWork, actor: Principal, client_id: UUID) -> Client:
    client = await uow.clients.get(client_id, actor.scope, lock=True)
    if client is None:
        raise ClientNotFound()
    return client


async def _answered(
    uow: UnitOfWork,
    actor: Principal,
    client: Client,
    kinds: tuple[str, ...],
    request_id: UUID | None,
    now: datetime,
) -> SubjectRequest:
    """The request this action answers: the one recorded earlier, or one received now."""
    if request_id is None:
        request = SubjectRequest.receive(
            client_id=client.id,
            region_code=client.region_code,
            kind=kinds[0],
            by=actor.subject,
            now=now,
        )
        request.answer(actor.subject, now)
        await uow.requests.add(request)
        return request
    found = await uow.requests.get(request_id, actor.scope)
    if found is None or found.client_id != client.id:
        # Answered as the client's own absence: the request is looked for under the client.
        raise ClientNotFound()
    if found.kind not in kinds:
        raise InvalidRequest("request_id", f"is a request of another kind ({found.kind})")
    found.answer(actor.subject, now)
    await uow.requests.save(found)
    return found


async def record_request(cmd: RecordRequest, uow: UnitOfWork, ctx: Context) -> SubjectRequest:
    """Write down what the client asked, when they asked it; the deadline runs from then."""
    async with uow:
        client = await _client(uow, cmd.actor, cmd.client_id)
        request = SubjectRequest.receive(
            client_id=client.id,
            region_code=client.region_code,
            kind=cmd.kind,
            by=cmd.actor.subject,
            now=ctx.now(),
            received_at=cmd.received_at,
        )
        await uow.requests.add(request)
        await uow.commit()
    return request


async def answer_request(
    request_id: UUID, actor: Principal, uow: UnitOfWork, ctx: Context
) -> SubjectRequest:
    """Mark a request answered (a correction, once the record was changed)."""
    async with uow:
        request = await uow.requests.get(request_id, actor.scope)
        if request is None:
            raise RequestNotFound()
        request.answer(actor.subject, ctx.now())
        await uow.requests.save(request)
        await uow.commit()
    return request


async def restrict(cmd: Restrict, uow: UnitOfWork, ctx: Context) -> tuple[Client, SubjectRequest]:
    now = ctx.now()
    kinds = ("restriction",) if cmd.restricted else ("lift_restriction",)
    async with uow:
        client = await _client(uow, cmd.actor, cmd.client_id)
        request = await _answered(uow, cmd.actor, client, kinds, cmd.request_id, now)
        client.restrict(cmd.restricted, request.id, now)
        if client.events:
            await uow.clients.save(client)
            uow.track(client)
        await uow.commit()
    return client, request


async def erase(cmd: Erase, uow: UnitOfWork, ctx: Context) -> SubjectRequest:
    """Delete everything the client service keeps of the client and destroy their data key;
    `client.erased` tells every other service to do the same (decision 0015)."""
    now = ctx.now()
    async with uow:
        client = await _client(uow, cmd.actor, cmd.client_id)
        request = await _answered(uow, cmd.actor, client, ("erasure",), cmd.request_id, now)
        client.erase(request.id, now)
        await uow.erasures.erase(client, request.id, now)
        uow.track(client)
        await uow.commit()
    return request


async def requests_of_client(
    client_id: UUID, actor: Principal, uow: UnitOfWork
) -> list[SubjectRequest]:
    """A client's requests, for the caller's region only (404 otherwise)."""
    async with uow:
        if await uow.clients.get(client_id, actor.scope) is None:
            raise ClientNotFound()
        return await uow.requests.find(
            actor.scope, client_id=client_id, open_only=False, due_before=None, limit=200
        )


async def requests(
    actor: Principal,
    uow: UnitOfWork,
    ctx: Context,
    *,
    client_id: UUID | None,
    late_only: bool,
    limit: int,
) -> list[SubjectRequest]:
    """Requests of the caller's region; `late_only`: still open past their deadline."""
    async with uow:
        return await uow.requests.find(
            actor.scope,
            client_id=client_id,
            open_only=late_only,
            due_before=ctx.now() if late_only else None,
            limit=limit,
        )


def _plain(value: Any) -> dict[str, Any]:
    return {k: v for k, v in dataclasses.asdict(value).items() if k != "events"}


async def export(
    client_id: UUID, actor: Principal, uow: UnitOfWork, ctx: Context, request_id: UUID | None
) -> tuple[dict[str, Any], SubjectRequest]:
    """Everything the client service keeps of the client, the NIK in clear (it is theirs),
    with who read the record and why (UU 27/2022 Pasal 32(1): the data and the record of its
    processing). Audited as an export; answers an access request."""
    now = ctx.now()
    async with uow:
        client = await _client(uow, actor, client_id)
        nik = await uow.clients.nik_of(client_id, actor.scope)
        request = await _answered(uow, actor, client, ("access",), request_id, now)
        cases = []
        for case in await uow.cases.for_client(client_id):
            cases.append(
                {
                    **{k: v for k, v in dataclasses.asdict(case).items() if k != "events"},
                    "notes": [_plain(n) for n in await uow.cases.notes(case.id)],
                    "tasks": [_plain(t) for t in await uow.cases.tasks(case.id)],
                    "attachments": [_plain(a) for a in await uow.cases.attachments(case.id)],
                }
            )
        part = {
            "client": {
                **{
                    k: v
                    for k, v in dataclasses.asdict(client).items()
                    if k not in ("events", "nik")
                },
                "nik": nik.value if nik else None,
            },
            "consents": [
                {k: v for k, v in dataclasses.asdict(c).items() if k != "events"}
                for c in await uow.consents.for_client(client_id)
            ],
            "cases": cases,
            "timeline": await uow.timeline.for_client(client_id, TIMELINE_IN_EXPORT, None),
            "reads": await uow.audit.list(actor.scope, client_id, TIMELINE_IN_EXPORT),
            "requests": [
                _plain(r)
                for r in await uow.requests.find(
                    actor.scope, client_id=client_id, open_only=False, due_before=None, limit=200
                )
            ],
        }
        await uow.audit.record(
            actor=actor.subject,
            username=actor.username,
            client=client,
            purpose="export",
            reference=f"request:{request.id}",
        )
        await uow.commit()
    return part, request
