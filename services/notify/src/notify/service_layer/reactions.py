"""How notify reacts to other services' events: one handler per event type, in a table."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from notify.adapters import orm
from notify.adapters.repository import NotificationRepository
from notify.domain.model import Notification
from notify.service_layer import training
from shared.contracts import client as client_contracts
from shared.contracts import notify as notify_contracts
from shared.contracts import training as training_contracts
from shared.messaging.consumer import Handler
from shared.messaging.envelope import Envelope
from shared.messaging.outbox import add_to_outbox


async def schedule(session: AsyncSession, notification: Notification) -> None:
    """Store the message and announce it, in the consumer's transaction (once per client)."""
    if not await NotificationRepository(session).add(notification):
        return
    data = notify_contracts.NotificationScheduled(
        notification_id=notification.id,
        client_id=notification.client_id,
        region_code=notification.region_code,
        answers_event_id=notification.event_id,
        template=notification.template,
        language=notification.language,
        scheduled_at=datetime.now(UTC),
    )
    envelope = Envelope(
        type=data.TYPE,
        source=notify_contracts.SOURCE,
        subject=f"notification/{notification.id}",
        key=str(notification.client_id),
        data=data.to_data(),
    )
    await add_to_outbox(session, orm.outbox, notify_contracts.TOPIC, [envelope])


async def welcome_registered_client(session: AsyncSession, envelope: Envelope) -> None:
    event = client_contracts.ClientRegistered.model_validate(envelope.data)
    await NotificationRepository(session).remember_client(
        event.client_id, event.region_code, event.preferred_language
    )
    await schedule(
        session,
        Notification.schedule(
            event_id=envelope.id,
            client_id=event.client_id,
            region_code=event.region_code,
            template="client_registered",
            language=event.preferred_language,
        ),
    )


async def follow_client_changes(session: AsyncSession, envelope: Envelope) -> None:
    event = client_contracts.ClientUpdated.model_validate(envelope.data)
    await NotificationRepository(session).remember_client(
        event.client_id, event.region_code, event.preferred_language
    )


CONSUMED: dict[str, dict[str, Handler]] = {
    client_contracts.TOPIC: {
        client_contracts.ClientRegistered.TYPE: welcome_registered_client,
        client_contracts.ClientUpdated.TYPE: follow_client_changes,
    },
    training_contracts.TOPIC: training.reactions(schedule),
}
