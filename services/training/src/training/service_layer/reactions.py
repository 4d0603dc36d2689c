"""Training's reactions to client events: a projection of region and initials, never a name.

Each reaction is `handler(event, uow[, keys])` on the message bus: the bus decodes the event
once and gives a unit of work joined to the inbox's transaction. `consumed(keys)` hands the
worker the per-topic tables its `IdempotentConsumer` takes, with the data keys of a batch's
sealed events fetched in one call first.
"""

from __future__ import annotations

from collections.abc import Mapping

from shared.contracts import Contract
from shared.contracts import client as client_contracts
from shared.messagebus import AnyHandler, MessageBus
from shared.messaging.consumer import BatchReaction, one_after_another
from shared.sealing import Opener, opened, prefetching
from training.adapters.clients import ClientFacts
from training.domain.certificate import initials
from training.service_layer.unit_of_work import TrainingUnitOfWork


async def remember_client(
    event: client_contracts.ClientRegistered, uow: TrainingUnitOfWork
) -> None:
    """A registration of before the person's values were sealed (still on the topic)."""
    async with uow:
        facts = ClientFacts(event.region_code, initials(event.full_name))
        await uow.clients.remember(event.client_id, facts)
        await uow.commit()


async def remember_sealed_client(
    event: client_contracts.ClientRegisteredV2, uow: TrainingUnitOfWork, keys: Opener
) -> None:
    """Region and initials (for certificates); the name is opened with the client's key and
    only its initials kept. An erased client (no key) is not remembered."""
    personal = await opened(
        keys, event.client_id, event.sealed, client_contracts.RegisteredPersonal
    )
    if personal is None:
        return
    async with uow:
        facts = ClientFacts(event.region_code, initials(personal.full_name))
        await uow.clients.remember(event.client_id, facts)
        await uow.commit()


async def follow_client_move(
    event: client_contracts.ClientUpdated | client_contracts.ClientUpdatedV2,
    uow: TrainingUnitOfWork,
) -> None:
    if "region_code" not in event.fields:
        return
    async with uow:
        await uow.clients.move(event.client_id, event.region_code)
        await uow.commit()


async def forget_erased_client(
    event: client_contracts.ClientErased, uow: TrainingUnitOfWork, keys: Opener
) -> None:
    """The client was erased: their initials go, their certificates are revoked and blanked
    (a verification answers "not valid", naming nobody), and their places in sessions stay
    counted under a name that points to no one."""
    keys.forget(event.client_id)
    participant = f"client:{event.client_id}"
    async with uow:
        await uow.certificates.revoke_of(participant)
        await uow.training_sessions.anonymise(participant)
        await uow.clients.forget(event.client_id)
        await uow.commit()


REACTIONS: Mapping[type[Contract], AnyHandler] = {
    client_contracts.ClientRegistered: remember_client,
    client_contracts.ClientRegisteredV2: remember_sealed_client,
    client_contracts.ClientUpdated: follow_client_move,
    client_contracts.ClientUpdatedV2: follow_client_move,
    client_contracts.ClientErased: forget_erased_client,
}


def consumed(keys: Opener) -> dict[str, BatchReaction]:
    """The training worker's reactions, by topic; sealed values opened with `keys`."""
    bus = MessageBus[TrainingUnitOfWork](
        events=REACTIONS, joining=TrainingUnitOfWork.joining, dependencies={"keys": keys}
    )
    return {
        topic: prefetching(keys, one_after_another(table))
        for topic, table in bus.consumer_tables().items()
    }
