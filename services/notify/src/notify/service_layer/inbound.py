"""What the provider tells notify: delivery reports, and clients answering STOP."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notify.adapters import orm
from notify.service_layer.planning import Rules
from shared.contracts import Contract
from shared.contracts import notify as notify_contracts
from shared.messaging.envelope import Envelope
from shared.messaging.outbox import add_to_outbox

# What people text to stop messages, in Indonesian and English.
STOP_WORDS = frozenset({"STOP", "BERHENTI", "UNREG", "UNSUBSCRIBE", "STOP ALL", "KELUAR"})


def _event(data: Contract, client_id: object) -> Envelope:
    return Envelope(
        type=data.TYPE,
        source=notify_contracts.SOURCE,
        subject=f"client/{client_id}",
        key=str(client_id),
        data=data.to_data(),
    )


async def record_delivery(
    sessions: async_sessionmaker[AsyncSession],
    rules: Rules,
    provider_message_id: str,
    delivered: bool,
    at: datetime,
    reason: str | None = None,
) -> bool:
    """Delivered (announced to the timeline) or failed; False if no sent message matched."""
    async with sessions.begin() as session:
        found = await rules.repository(session).delivery_report(
            provider_message_id, delivered, at, reason
        )
        if found is None:
            return False
        if delivered and found.client_id is not None:
            data = notify_contracts.NotificationDelivered(
                notification_id=found.id,
                client_id=found.client_id,
                region_code=found.region_code,
                template=found.template,
                channel=found.channel,
                delivered_at=at,
            )
            await add_to_outbox(session, orm.outbox, data.TOPIC, [_event(data, found.client_id)])
    return True


async def receive_message(
    sessions: async_sessionmaker[AsyncSession],
    rules: Rules,
    sender: str,
    channel: str,
    text: str,
    received_at: datetime,
) -> int:
    """A client's reply. STOP opts every client with that number out (a shared family phone
    asked to stop); returns how many clients opted out. Other replies are not kept."""
    if " ".join(text.upper().split()) not in STOP_WORDS:
        return 0
    async with sessions.begin() as session:
        clients = await rules.repository(session).clients_by_phone(sender)
        envelopes = [
            _event(
                notify_contracts.OptedOut(
                    client_id=client_id,
                    region_code=region_code,
                    channel=channel,
                    received_at=received_at,
                ),
                client_id,
            )
            for client_id, region_code in clients
        ]
        await add_to_outbox(session, orm.outbox, notify_contracts.TOPIC, envelopes)
    return len(envelopes)
