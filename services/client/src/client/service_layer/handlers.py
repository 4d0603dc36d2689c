"""Use cases of client intake. Each runs in one unit of work."""

from __future__ import annotations

from collections.abc import Callable, Container
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from client.adapters import publishing
from client.adapters.repositories.nik import DuplicateNik
from client.domain.consent import Consent
from client.domain.model import (
    Business,
    Client,
    FinancialProfile,
    InvalidClient,
    RegionDirectory,
)
from client.domain.phone import InvalidPhone, parse_phone
from client.service_layer import commands
from client.service_layer.unit_of_work import UnitOfWork
from shared.auth import Principal
from shared.errors import Conflict, NotFound

Clock = Callable[[], datetime]


class NikAlreadyRegistered(Conflict):
    """409 `duplicate-nik`; `client_id` (and the answer's `existing_client_id`) is set only
    when the existing client lies in the caller's region."""

    def __init__(self, client_id: UUID | None) -> None:
        known = {"existing_client_id": str(client_id)} if client_id else {}
        super().__init__("This NIK is already registered.", "duplicate-nik", **known)
        self.client_id = client_id


class ClientNotFound(NotFound):
    """No such client in the caller's region (404, whether it exists elsewhere or not)."""

    def __init__(self) -> None:
        super().__init__("client")


class ConsentNotFound(NotFound):
    """No such consent of a client in the caller's region (404)."""

    def __init__(self) -> None:
        super().__init__("consent")


@dataclass(frozen=True)
class Context:
    """What every handler may need besides its unit of work."""

    now: Clock
    regions: RegionDirectory
    holidays: Container[date] = frozenset()


def _phone(raw: str) -> tuple[str, bool]:
    try:
        phone = parse_phone(raw)
    except InvalidPhone as exc:
        raise InvalidClient("phone", str(exc)) from None
    return phone.e164, phone.mobile


def _business(raw: dict[str, Any] | None) -> Business | None:
    if raw is None:
        return None
    return Business.checked(
        nib=str(raw["nib"]),
        name=str(raw["name"]),
        kbli=str(raw["kbli"]),
        scale=None if raw.get("scale") is None else str(raw["scale"]),
        employees=int(raw["employees"]),
        annual_revenue_idr=raw.get("annual_revenue_idr"),
        capital_idr=raw.get("capital_idr"),
    )


def _in_scope(actor: Principal, region_code: str) -> None:
    if not actor.scope.allows(region_code):
        raise InvalidClient("region_code", "lies outside your region")


def new_client(cmd: commands.RegisterClient, ctx: Context) -> Client:
    """Every registration rule, for one form or one row of an imported sheet."""
    _in_scope(cmd.actor, cmd.region_code)
    phone, mobile = _phone(cmd.phone)
    return Client.register(
        kind=cmd.kind,
        nik=cmd.nik,
        full_name=cmd.full_name,
        birth_date=cmd.birth_date,
        sex=cmd.sex,
        phone=phone,
        phone_is_mobile=mobile,
        email=cmd.email,
        region_code=cmd.region_code,
        preferred_language=cmd.preferred_language,
        disability=cmd.disability,
        financial_profile=FinancialProfile(**cmd.financial_profile),
        business=_business(cmd.business),
        registered_by=cmd.actor.subject,
        now=ctx.now(),
        regions=ctx.regions,
    )


async def register_client(cmd: commands.RegisterClient, uow: UnitOfWork, ctx: Context) -> Client:
    client = new_client(cmd, ctx)
    async with uow:
        existing = await uow.clients.region_of_nik(client.nik_value)
        if existing is not None:
            visible = cmd.actor.scope.allows(existing[1])
            raise NikAlreadyRegistered(existing[0] if visible else None)
        try:
            # Another region's client is not seen above (row-level security), nor a
            # concurrent registration: the unique index refuses both, unnamed.
            await uow.clients.add(client)
            uow.track(client)
            await flag_duplicates(uow, [client.id])
            await uow.commit()
        except DuplicateNik:
            raise NikAlreadyRegistered(None) from None
    return client


async def flag_duplicates(uow: UnitOfWork, client_ids: list[UUID]) -> None:
    """Flag new clients that look like earlier ones of their regency, for a supervisor."""
    flags = await uow.duplicates.flag_new(client_ids)
    uow.announce([publishing.duplicate_envelope(flag) for flag in flags])


async def update_client(cmd: commands.UpdateClient, uow: UnitOfWork, ctx: Context) -> Client:
    changes = dict(cmd.changes)
    if "phone" in changes:
        changes["phone"], mobile = _phone(changes["phone"])
        changes["phone_is_mobile"] = mobile
    if "region_code" in changes:
        _in_scope(cmd.actor, changes["region_code"])
    if "financial_profile" in changes:
        changes["financial_profile"] = FinancialProfile(**changes["financial_profile"])
    if "business" in changes:
        changes["business"] = _business(changes["business"])
    async with uow:
        client = await uow.clients.get(cmd.client_id, cmd.actor.scope, lock=True)
        if client is None:
            raise ClientNotFound()
        client.update(changes, by=cmd.actor.subject, now=ctx.now(), regions=ctx.regions)
        if client.events:
            await uow.clients.save(client)
            uow.track(client)
            await uow.commit()
    return client


async def read_client(
    client_id: UUID, actor: Principal, uow: UnitOfWork, purpose: str = "case_management"
) -> Client:
    """A client in the caller's region, with the read audited."""
    async with uow:
        client = await uow.clients.get(client_id, actor.scope)
        if client is None:
            raise ClientNotFound()
        await uow.audit.record(
            actor=actor.subject, username=actor.username, client=client, purpose=purpose
        )
        await uow.commit()
    return client


async def search_clients(
    actor: Principal,
    uow: UnitOfWork,
    *,
    limit: int,
    after: UUID | None,
    q: str | None = None,
    nik: str | None = None,
    phone: str | None = None,
) -> list[Client]:
    """Search in the caller's region; each person shown is an audited read ("search")."""
    if phone is not None:
        phone = _phone(phone)[0]
    async with uow:
        found = await uow.clients.search(
            actor.scope, limit=limit, after=after, q=q, nik=nik, phone=phone
        )
        for client in found:
            await uow.audit.record(
                actor=actor.subject, username=actor.username, client=client, purpose="search"
            )
        await uow.commit()
    return found


async def grant_consent(cmd: commands.GrantConsent, uow: UnitOfWork, ctx: Context) -> Consent:
    async with uow:
        client = await uow.clients.get(cmd.client_id, cmd.actor.scope, lock=True)
        if client is None:
            raise ClientNotFound()
        consent = Consent.grant(
            client,
            purpose=cmd.purpose,
            partner_code=cmd.partner_code,
            scope=cmd.scope,
            channels=cmd.channels,
            text_version=cmd.text_version,
            by=cmd.actor.subject,
            now=ctx.now(),
        )
        await uow.consents.add(consent)
        uow.track(client, consent)
        await uow.commit()
    return consent


async def withdraw_consent(cmd: commands.WithdrawConsent, uow: UnitOfWork, ctx: Context) -> Consent:
    async with uow:
        client = await uow.clients.get(cmd.client_id, cmd.actor.scope, lock=True)
        consent = await uow.consents.get(cmd.client_id, cmd.consent_id) if client else None
        if client is None or consent is None:
            raise ConsentNotFound()
        consent.withdraw(by=cmd.actor.subject, now=ctx.now())
        await uow.consents.save_withdrawal(consent)
        uow.track(client, consent)
        await uow.commit()
    return consent


async def audit_view(uow: UnitOfWork, actor: Principal, client: Client, what: str) -> None:
    """A person looked at a part of a client's record (consents, timeline, cases and notes):
    audited, though a page refreshing the same part is written once in a while."""
    await uow.audit.record(
        actor=actor.subject,
        username=actor.username,
        client=client,
        purpose="case_management",
        what=what,
        coalesce=True,
    )


async def list_consents(client_id: UUID, actor: Principal, uow: UnitOfWork) -> list[Consent]:
    async with uow:
        client = await uow.clients.get(client_id, actor.scope)
        if client is None:
            raise ClientNotFound()
        consents = await uow.consents.for_client(client_id)
        await audit_view(uow, actor, client, "consents")
        await uow.commit()
    return consents


async def timeline(
    client_id: UUID, actor: Principal, uow: UnitOfWork, limit: int, before: datetime | None
) -> list[dict[str, Any]]:
    async with uow:
        client = await uow.clients.get(client_id, actor.scope)
        if client is None:
            raise ClientNotFound()
        entries = await uow.timeline.for_client(client_id, limit, before)
        await audit_view(uow, actor, client, "timeline")
        await uow.commit()
    return entries


async def reveal_nik(client_id: UUID, actor: Principal, uow: UnitOfWork) -> str:
    """The full NIK, for the owning region only, and audited as its own purpose."""
    async with uow:
        client = await uow.clients.get(client_id, actor.scope)
        nik = await uow.clients.nik_of(client_id, actor.scope) if client else None
        if client is None or nik is None:
            raise ClientNotFound()
        await uow.audit.record(
            actor=actor.subject, username=actor.username, client=client, purpose="reveal_nik"
        )
        await uow.commit()
    return nik.value


async def read_audit(
    actor: Principal, uow: UnitOfWork, client_id: UUID | None, limit: int
) -> list[dict[str, Any]]:
    async with uow:
        return await uow.audit.list(actor.scope, client_id, limit)
