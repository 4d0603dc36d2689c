"""Suspected personal-data breaches: record, list the people affected, tell them and the
authority, and escalate when the 3 x 24-hour deadline passes (UU 27/2022 Pasal 46).

Administrators act on every breach; a supervisor reads those of their province. Each use case
runs in one unit of work; notices go out as events through the outbox, one per client.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from client.adapters import publishing
from client.adapters.breaches import ConcurrentChange
from client.domain.breach import (
    AUTHORITY_ALREADY_TOLD,
    PEOPLE_ALREADY_TOLD,
    AffectedClient,
    AlreadyNotified,
    Breach,
)
from client.domain.breach_letter import authority_letter
from client.service_layer.handlers import Context
from client.service_layer.unit_of_work import UnitOfWork
from shared.auth import Principal, RegionScope
from shared.errors import NotFound

ADMIN = "admin"
EVERY_REGION = RegionScope("")


class BreachNotFound(NotFound):
    """No such breach, or none the caller may see (404 either way)."""

    def __init__(self) -> None:
        super().__init__("breach")


async def _save_once(uow: UnitOfWork, breach: Breach, already: str) -> None:
    """Save a notification; one saved meanwhile by someone else is `AlreadyNotified`."""
    try:
        await uow.breaches.save(breach)
    except ConcurrentChange:
        raise AlreadyNotified(already) from None


@dataclass(frozen=True)
class RecordBreach:
    actor: Principal
    category: str
    description: str
    handling: str
    data_kinds: tuple[str, ...]
    systems: tuple[str, ...]
    found_at: datetime
    period_from: datetime
    period_to: datetime
    regions: tuple[str, ...]


def scope_of(actor: Principal) -> RegionScope:
    """An administrator works on every breach; a supervisor on those of their province."""
    return EVERY_REGION if ADMIN in actor.roles else actor.scope


async def _visible(uow: UnitOfWork, breach_id: UUID, actor: Principal, lock: bool) -> Breach:
    breach = await uow.breaches.get(breach_id, scope_of(actor), lock=lock)
    if breach is None:
        raise BreachNotFound()
    return breach


async def record_breach(cmd: RecordBreach, uow: UnitOfWork, ctx: Context) -> Breach:
    """Record it with the number of clients it may touch in each regency, and nobody's name."""
    breach = Breach.record(
        category=cmd.category,
        description=cmd.description,
        handling=cmd.handling,
        data_kinds=cmd.data_kinds,
        systems=cmd.systems,
        found_at=cmd.found_at,
        period_from=cmd.period_from,
        period_to=cmd.period_to,
        regions=cmd.regions,
        by=cmd.actor.subject,
        now=ctx.now(),
        directory=ctx.regions,
    )
    async with uow:
        breach.counts = await uow.breaches.count_affected(breach.regions, breach.period_to)
        await uow.breaches.add(breach)
        await uow.commit()
    return breach


async def breaches_for(
    actor: Principal, uow: UnitOfWork, limit: int, after: UUID | None
) -> list[Breach]:
    async with uow:
        return await uow.breaches.newest(scope_of(actor), limit, after)


async def read_breach(breach_id: UUID, actor: Principal, uow: UnitOfWork) -> Breach:
    async with uow:
        return await _visible(uow, breach_id, actor, lock=False)


async def affected_clients(
    breach_id: UUID, actor: Principal, uow: UnitOfWork, limit: int, after: UUID | None
) -> list[AffectedClient]:
    """One page of the people the breach may have touched; each one listed is an audited
    read of their record, for the breach."""
    async with uow:
        breach = await _visible(uow, breach_id, actor, lock=False)
        page = await uow.breaches.affected(breach, limit, after)
        await uow.breaches.audit_reads(
            actor=actor.subject, username=actor.username, breach=breach, read=page
        )
        await uow.commit()
    return page


async def notify_people(breach_id: UUID, actor: Principal, uow: UnitOfWork, ctx: Context) -> Breach:
    """The administrator approves the notices: one event per person affected, which notify
    sends in the person's language over the channels they consented to. Once only."""
    now = ctx.now()
    async with uow:
        breach = await _visible(uow, breach_id, actor, lock=True)
        recipients = await uow.breaches.to_notify(breach)
        breach.approve_people_notices(by=actor.subject, told=len(recipients), now=now)
        await _save_once(uow, breach, PEOPLE_ALREADY_TOLD)
        uow.announce(publishing.breach_notice_envelopes(breach, recipients, now))
        await uow.commit()
    return breach


async def record_authority_notified(
    breach_id: UUID, actor: Principal, at: datetime | None, uow: UnitOfWork, ctx: Context
) -> Breach:
    """The letter went to the authority (outside Jembatan) at `at`, by default now."""
    now = ctx.now()
    async with uow:
        breach = await _visible(uow, breach_id, actor, lock=True)
        breach.authority_notified(by=actor.subject, at=at or now, now=now)
        await _save_once(uow, breach, AUTHORITY_ALREADY_TOLD)
        await uow.commit()
    return breach


async def letter_to_authority(
    breach_id: UUID, actor: Principal, uow: UnitOfWork, ctx: Context
) -> str:
    async with uow:
        breach = await _visible(uow, breach_id, actor, lock=False)
    return authority_letter(breach, ctx.now())


async def escalate_late_breaches(uow: UnitOfWork, now: datetime, limit: int = 100) -> int:
    """Escalate, once each, the breaches whose deadline passed with someone not yet told:
    notify e-mails the administrators. `now` is the caller's clock (a test moves it)."""
    async with uow:
        escalated = 0
        for breach in await uow.breaches.late(now, limit):
            if breach.escalate(now):
                await uow.breaches.save(breach)
                uow.announce(publishing.breach_envelopes(breach))
                escalated += 1
        await uow.commit()
    return escalated
