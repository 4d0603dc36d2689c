"""How referrals react to client events: the local projections, consent withdrawal, and a
client's erasure."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from referral.service_layer.handlers import erase_client_referrals
from referral.service_layer.unit_of_work import UnitOfWork
from shared.contracts import client as client_contracts
from shared.contracts import training as training_contracts
from shared.messaging.consumer import BatchReaction, Handler, one_after_another
from shared.messaging.envelope import Envelope
from shared.sealing import Opener, opened, prefetching


async def _remember(session: AsyncSession, client_id: UUID, **facts: Any) -> None:
    async with UnitOfWork(session=session) as uow:
        await uow.projections.upsert_client(client_id, **facts)


async def remember_client(session: AsyncSession, envelope: Envelope) -> None:
    """A registration of before the person's values were sealed (still on the topic)."""
    event = client_contracts.ClientRegistered.model_validate(envelope.data)
    await _remember(
        session,
        event.client_id,
        kind=event.kind,
        region_code=event.region_code,
        birth_date=event.birth_date,
        has_nib=event.business is not None and bool(event.business.nib),
    )


def remember_sealed_client(keys: Opener) -> Handler:
    """The eligibility facts of a registration: the birth date is opened with the client's
    key; an erased client (no key) is not remembered."""

    async def handle(session: AsyncSession, envelope: Envelope) -> None:
        event = client_contracts.ClientRegisteredV2.model_validate(envelope.data)
        personal = await opened(
            keys, event.client_id, event.sealed, client_contracts.RegisteredPersonal
        )
        if personal is None:
            return
        await _remember(
            session,
            event.client_id,
            kind=event.kind,
            region_code=event.region_code,
            birth_date=personal.birth_date,
            has_nib=personal.business is not None and bool(personal.business.nib),
        )

    return handle


_UPDATED: dict[str, type[client_contracts.ClientUpdated | client_contracts.ClientUpdatedV2]] = {
    c.TYPE: c for c in (client_contracts.ClientUpdated, client_contracts.ClientUpdatedV2)
}


async def follow_client_move(session: AsyncSession, envelope: Envelope) -> None:
    event = _UPDATED[envelope.type].model_validate(envelope.data)
    if "region_code" in event.fields:
        async with UnitOfWork(session=session) as uow:
            await uow.projections.set_region(event.client_id, event.region_code)


async def remember_consent(session: AsyncSession, envelope: Envelope) -> None:
    event = client_contracts.ConsentGranted.model_validate(envelope.data)
    if event.purpose != "referral" or event.partner_code is None:
        return
    async with UnitOfWork(session=session) as uow:
        await uow.projections.grant(
            event.consent_id,
            event.client_id,
            event.partner_code,
            list(event.scope),
            event.granted_at,
        )


async def end_referrals_of_withdrawn_consent(session: AsyncSession, envelope: Envelope) -> None:
    """Withdrawing a referral consent withdraws every open referral to that partner."""
    event = client_contracts.ConsentWithdrawn.model_validate(envelope.data)
    if event.purpose != "referral" or event.partner_code is None:
        return
    async with UnitOfWork(session=session) as uow:
        await uow.projections.withdraw(event.consent_id, event.withdrawn_at)
        for referral in await uow.referrals.open_for_consent(event.client_id, event.partner_code):
            referral.withdraw(event.withdrawn_at, "consent_withdrawn")
            await uow.referrals.save(referral)
            uow.track(referral)
        await uow.commit()


async def remember_completed_training(session: AsyncSession, envelope: Envelope) -> None:
    """A completed programme may be what a product's eligibility asks for."""
    event = training_contracts.TrainingCompleted.model_validate(envelope.data)
    if event.client_id is None:  # an officer's own training
        return
    async with UnitOfWork(session=session) as uow:
        await uow.projections.completed_training(event.client_id, event.programme_code)


async def follow_restriction(session: AsyncSession, envelope: Envelope) -> None:
    """A restricted client gets no new referral; open ones go on (the partner already has
    them, and the client may lift the restriction)."""
    event = client_contracts.ClientRestricted.model_validate(envelope.data)
    async with UnitOfWork(session=session) as uow:
        await uow.projections.set_restricted(event.client_id, event.restricted)


def erase_client(keys: Opener) -> Handler:
    """The client was erased (UU 27/2022 Pasal 43): their projections go, their referrals end,
    and every partner that received one is told to erase the applicant."""

    async def handle(session: AsyncSession, envelope: Envelope) -> None:
        event = client_contracts.ClientErased.model_validate(envelope.data)
        keys.forget(event.client_id)  # the key is destroyed; a cached copy must not outlive it
        await erase_client_referrals(event.client_id, event.erased_at, UnitOfWork(session=session))

    return handle


def consumed(keys: Opener) -> dict[str, BatchReaction]:
    """The referral worker's reactions, by topic; sealed values opened with `keys`."""
    routes: dict[str, dict[str, Handler]] = {
        client_contracts.TOPIC: {
            client_contracts.ClientRegistered.TYPE: remember_client,
            client_contracts.ClientRegisteredV2.TYPE: remember_sealed_client(keys),
            client_contracts.ClientUpdated.TYPE: follow_client_move,
            client_contracts.ClientUpdatedV2.TYPE: follow_client_move,
            client_contracts.ConsentGranted.TYPE: remember_consent,
            client_contracts.ConsentWithdrawn.TYPE: end_referrals_of_withdrawn_consent,
            client_contracts.ClientErased.TYPE: erase_client(keys),
            client_contracts.ClientRestricted.TYPE: follow_restriction,
        },
        training_contracts.TOPIC: {
            training_contracts.TrainingCompleted.TYPE: remember_completed_training,
        },
    }
    return {topic: prefetching(keys, one_after_another(h)) for topic, h in routes.items()}
