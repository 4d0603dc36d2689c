"""How referrals react to client events: the local projections, and consent withdrawal."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from referral.service_layer.unit_of_work import UnitOfWork
from shared.contracts import client as client_contracts
from shared.contracts import training as training_contracts
from shared.messaging.consumer import Handler
from shared.messaging.envelope import Envelope


async def remember_client(session: AsyncSession, envelope: Envelope) -> None:
    event = client_contracts.ClientRegistered.model_validate(envelope.data)
    async with UnitOfWork(session=session) as uow:
        await uow.projections.upsert_client(
            event.client_id,
            kind=event.kind,
            region_code=event.region_code,
            birth_date=event.birth_date,
            has_nib=event.business is not None and bool(event.business.nib),
        )


async def follow_client_move(session: AsyncSession, envelope: Envelope) -> None:
    event = client_contracts.ClientUpdated.model_validate(envelope.data)
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


CONSUMED: dict[str, dict[str, Handler]] = {
    client_contracts.TOPIC: {
        client_contracts.ClientRegistered.TYPE: remember_client,
        client_contracts.ClientUpdated.TYPE: follow_client_move,
        client_contracts.ConsentGranted.TYPE: remember_consent,
        client_contracts.ConsentWithdrawn.TYPE: end_referrals_of_withdrawn_consent,
    },
    training_contracts.TOPIC: {
        training_contracts.TrainingCompleted.TYPE: remember_completed_training,
    },
}
