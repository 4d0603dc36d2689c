"""The training service's projection of client events: region and initials, never a name."""

from __future__ import annotations

from uuid import UUID, uuid4

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import client as client_contracts
from shared.messaging.consumer import BatchReaction, Handler, one_after_another
from shared.messaging.envelope import Envelope
from shared.sealing import Opener, opened, prefetching
from training.adapters import orm
from training.domain.certificate import initials


async def _remember(session: AsyncSession, client_id: UUID, region_code: str, name: str) -> None:
    values = {"region_code": region_code, "initials": initials(name)}
    await session.execute(
        insert(orm.client_facts)
        .values(client_id=client_id, **values)
        .on_conflict_do_update(index_elements=["client_id"], set_=values)
    )


async def remember_client(session: AsyncSession, envelope: Envelope) -> None:
    """A registration of before the person's values were sealed (still on the topic)."""
    event = client_contracts.ClientRegistered.model_validate(envelope.data)
    await _remember(session, event.client_id, event.region_code, event.full_name)


def remember_sealed_client(keys: Opener) -> Handler:
    """Region and initials (for certificates); the name is opened with the client's key and
    only its initials kept. An erased client (no key) is not remembered."""

    async def handle(session: AsyncSession, envelope: Envelope) -> None:
        event = client_contracts.ClientRegisteredV2.model_validate(envelope.data)
        personal = await opened(
            keys, event.client_id, event.sealed, client_contracts.RegisteredPersonal
        )
        if personal is not None:
            await _remember(session, event.client_id, event.region_code, personal.full_name)

    return handle


_UPDATED: dict[str, type[client_contracts.ClientUpdated | client_contracts.ClientUpdatedV2]] = {
    c.TYPE: c for c in (client_contracts.ClientUpdated, client_contracts.ClientUpdatedV2)
}


async def follow_client_move(session: AsyncSession, envelope: Envelope) -> None:
    event = _UPDATED[envelope.type].model_validate(envelope.data)
    if "region_code" in event.fields:
        await session.execute(
            update(orm.client_facts)
            .where(orm.client_facts.c.client_id == event.client_id)
            .values(region_code=event.region_code)
        )


def forget_erased_client(keys: Opener) -> Handler:
    """The client was erased: their initials go, their certificates are revoked and blanked
    (a verification answers "not valid", naming nobody), and their places in sessions stay
    counted under a name that points to no one."""

    async def handle(session: AsyncSession, envelope: Envelope) -> None:
        event = client_contracts.ClientErased.model_validate(envelope.data)
        keys.forget(event.client_id)
        participant = f"client:{event.client_id}"
        codes = select(orm.enrolments.c.certificate_code).where(
            orm.enrolments.c.participant == participant,
            orm.enrolments.c.certificate_code.is_not(None),
        )
        await session.execute(
            update(orm.certificates)
            .where(orm.certificates.c.code.in_(codes))
            .values(initials="", valid=False)
        )
        await session.execute(
            update(orm.enrolments)
            .where(orm.enrolments.c.participant == participant)
            .values(participant=f"erased:{uuid4()}")
        )
        await session.execute(
            delete(orm.client_facts).where(orm.client_facts.c.client_id == event.client_id)
        )

    return handle


def consumed(keys: Opener) -> dict[str, BatchReaction]:
    """The training worker's reactions, by topic; sealed values opened with `keys`."""
    routes: dict[str, dict[str, Handler]] = {
        client_contracts.TOPIC: {
            client_contracts.ClientRegistered.TYPE: remember_client,
            client_contracts.ClientRegisteredV2.TYPE: remember_sealed_client(keys),
            client_contracts.ClientUpdated.TYPE: follow_client_move,
            client_contracts.ClientUpdatedV2.TYPE: follow_client_move,
            client_contracts.ClientErased.TYPE: forget_erased_client(keys),
        },
    }
    return {topic: prefetching(keys, one_after_another(h)) for topic, h in routes.items()}
