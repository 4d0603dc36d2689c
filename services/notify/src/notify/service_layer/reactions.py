"""How notify reacts to other services' events: one handler per event type, in a table."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from notify.adapters.repository import NotificationRepository
from notify.domain.model import Notification
from shared.contracts import client as client_contracts
from shared.messaging.consumer import Handler
from shared.messaging.envelope import Envelope


async def welcome_registered_client(session: AsyncSession, envelope: Envelope) -> None:
    event = client_contracts.ClientRegistered.model_validate(envelope.data)
    await NotificationRepository(session).add(
        Notification.schedule(
            event_id=envelope.id,
            client_id=event.client_id,
            region_code=event.region_code,
            template="client_registered",
            language=event.preferred_language,
        )
    )


CONSUMED: dict[str, dict[str, Handler]] = {
    client_contracts.TOPIC: {
        client_contracts.ClientRegistered.TYPE: welcome_registered_client,
    },
}
