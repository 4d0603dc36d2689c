"""Use cases of client intake. Each runs in one unit of work."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from client.domain.model import Client, InvalidClient
from client.service_layer import commands
from client.service_layer.unit_of_work import DuplicateNik, UnitOfWork
from shared.auth import Principal

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class NikAlreadyRegistered(Exception):
    """`client_id` is set only when the existing client lies in the caller's region."""

    client_id: UUID | None


async def register_client(cmd: commands.RegisterClient, uow: UnitOfWork, now: Clock) -> Client:
    if not cmd.actor.scope.allows(cmd.region_code):
        raise InvalidClient("region_code", "lies outside your region")
    client = Client.register(
        kind=cmd.kind,
        nik=cmd.nik,
        full_name=cmd.full_name,
        birth_date=cmd.birth_date,
        sex=cmd.sex,
        phone=cmd.phone,
        email=cmd.email,
        region_code=cmd.region_code,
        preferred_language=cmd.preferred_language,
        disability=cmd.disability,
        registered_by=cmd.actor.subject,
        now=now(),
    )
    async with uow:
        existing = await uow.clients.region_of_nik(client.nik.value)
        if existing is not None:
            visible = cmd.actor.scope.allows(existing[1])
            raise NikAlreadyRegistered(existing[0] if visible else None)
        await uow.clients.add(client)
        uow.track(client)
        try:
            await uow.commit()
        except DuplicateNik:  # a concurrent registration won the race
            raise NikAlreadyRegistered(None) from None
    return client


async def read_client(
    client_id: UUID, actor: Principal, uow: UnitOfWork, purpose: str = "case_management"
) -> Client | None:
    """A client in the caller's region, with the read audited; None outside the scope."""
    async with uow:
        client = await uow.clients.get(client_id, actor.scope)
        if client is None:
            return None
        await uow.audit.record(
            actor=actor.subject, username=actor.username, client=client, purpose=purpose
        )
        await uow.commit()
    return client


async def list_clients(
    actor: Principal, uow: UnitOfWork, limit: int, after: UUID | None
) -> list[Client]:
    async with uow:
        return await uow.clients.list(actor.scope, limit, after)


COMMAND_HANDLERS = {commands.RegisterClient: register_client}
