"""The training service's projection of client events: region and initials, never a name."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import client as client_contracts
from shared.messaging.consumer import Handler
from shared.messaging.envelope import Envelope
from training.adapters import orm
from training.domain.certificate import initials


async def remember_client(session: AsyncSession, envelope: Envelope) -> None:
    event = client_contracts.ClientRegistered.model_validate(envelope.data)
    values = {"region_code": event.region_code, "initials": initials(event.full_name)}
    await session.execute(
        insert(orm.client_facts)
        .values(client_id=event.client_id, **values)
        .on_conflict_do_update(index_elements=["client_id"], set_=values)
    )


async def follow_client_move(session: AsyncSession, envelope: Envelope) -> None:
    event = client_contracts.ClientUpdated.model_validate(envelope.data)
    if "region_code" in event.fields:
        await session.execute(
            update(orm.client_facts)
            .where(orm.client_facts.c.client_id == event.client_id)
            .values(region_code=event.region_code)
        )


CONSUMED: dict[str, dict[str, Handler]] = {
    client_contracts.TOPIC: {
        client_contracts.ClientRegistered.TYPE: remember_client,
        client_contracts.ClientUpdated.TYPE: follow_client_move,
    },
}
