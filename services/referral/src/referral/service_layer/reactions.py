"""How referrals react to client and training events: the local projections, consent
withdrawal, a restriction, and a client's erasure.

Each reaction is `handler(event, uow[, keys])` on the message bus: the bus decodes the event
once and gives a unit of work joined to the inbox's transaction. `consumed(keys)` hands the
worker the per-topic tables its `IdempotentConsumer` takes, each applied one event after
another with the data keys of a batch's sealed events fetched in one call first.
"""

from __future__ import annotations

from collections.abc import Mapping

from referral.service_layer.handlers import erase_client_referrals
from referral.service_layer.unit_of_work import ReferralUnitOfWork
from shared.contracts import Contract
from shared.contracts import client as client_contracts
from shared.contracts import training as training_contracts
from shared.messagebus import AnyHandler, MessageBus
from shared.messaging.consumer import BatchReaction, one_after_another
from shared.sealing import Opener, opened, prefetching


async def remember_client(
    event: client_contracts.ClientRegistered, uow: ReferralUnitOfWork
) -> None:
    """A registration of before the person's values were sealed (still on the topic)."""
    async with uow:
        await uow.projections.upsert_client(
            event.client_id,
            kind=event.kind,
            region_code=event.region_code,
            birth_date=event.birth_date,
            has_nib=event.business is not None and bool(event.business.nib),
        )


async def remember_sealed_client(
    event: client_contracts.ClientRegisteredV2, uow: ReferralUnitOfWork, keys: Opener
) -> None:
    """The eligibility facts of a registration: the birth date is opened with the client's
    key; an erased client (no key) is not remembered."""
    personal = await opened(
        keys, event.client_id, event.sealed, client_contracts.RegisteredPersonal
    )
    if personal is None:
        return
    async with uow:
        await uow.projections.upsert_client(
            event.client_id,
            kind=event.kind,
            region_code=event.region_code,
            birth_date=personal.birth_date,
            has_nib=personal.business is not None and bool(personal.business.nib),
        )


async def follow_client_move(
    event: client_contracts.ClientUpdated | client_contracts.ClientUpdatedV2,
    uow: ReferralUnitOfWork,
) -> None:
    if "region_code" in event.fields:
        async with uow:
            await uow.projections.set_region(event.client_id, event.region_code)


async def remember_consent(event: client_contracts.ConsentGranted, uow: ReferralUnitOfWork) -> None:
    if event.purpose != "referral" or event.partner_code is None:
        return
    async with uow:
        await uow.projections.grant(
            event.consent_id,
            event.client_id,
            event.partner_code,
            list(event.scope),
            event.granted_at,
        )


async def end_referrals_of_withdrawn_consent(
    event: client_contracts.ConsentWithdrawn, uow: ReferralUnitOfWork
) -> None:
    """Withdrawing a referral consent withdraws every open referral to that partner."""
    if event.purpose != "referral" or event.partner_code is None:
        return
    async with uow:
        await uow.projections.withdraw(event.consent_id, event.withdrawn_at)
        for referral in await uow.referrals.open_for_consent(event.client_id, event.partner_code):
            referral.withdraw(event.withdrawn_at, "consent_withdrawn")
            await uow.referrals.save(referral)
            uow.track(referral)
        await uow.commit()


async def remember_completed_training(
    event: training_contracts.TrainingCompleted, uow: ReferralUnitOfWork
) -> None:
    """A completed programme may be what a product's eligibility asks for."""
    if event.client_id is None:  # an officer's own training
        return
    async with uow:
        await uow.projections.completed_training(event.client_id, event.programme_code)


async def follow_restriction(
    event: client_contracts.ClientRestricted, uow: ReferralUnitOfWork
) -> None:
    """A restricted client gets no new referral; open ones go on (the partner already has
    them, and the client may lift the restriction)."""
    async with uow:
        await uow.projections.set_restricted(event.client_id, event.restricted)


async def erase_client(
    event: client_contracts.ClientErased, uow: ReferralUnitOfWork, keys: Opener
) -> None:
    """The client was erased (UU 27/2022 Pasal 43): their projections go, their referrals end,
    and every partner that received one is told to erase the applicant."""
    keys.forget(event.client_id)  # the key is destroyed; a cached copy must not outlive it
    await erase_client_referrals(event.client_id, event.erased_at, uow)


REACTIONS: Mapping[type[Contract], AnyHandler] = {
    client_contracts.ClientRegistered: remember_client,
    client_contracts.ClientRegisteredV2: remember_sealed_client,
    client_contracts.ClientUpdated: follow_client_move,
    client_contracts.ClientUpdatedV2: follow_client_move,
    client_contracts.ConsentGranted: remember_consent,
    client_contracts.ConsentWithdrawn: end_referrals_of_withdrawn_consent,
    client_contracts.ClientErased: erase_client,
    client_contracts.ClientRestricted: follow_restriction,
    training_contracts.TrainingCompleted: remember_completed_training,
}


def consumed(keys: Opener) -> dict[str, BatchReaction]:
    """The referral worker's reactions, by topic; sealed values opened with `keys`."""
    bus = MessageBus[ReferralUnitOfWork](
        events=REACTIONS, joining=ReferralUnitOfWork.joining, dependencies={"keys": keys}
    )
    return {
        topic: prefetching(keys, one_after_another(table))
        for topic, table in bus.consumer_tables().items()
    }
