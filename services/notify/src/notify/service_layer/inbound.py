"""What the provider tells notify: delivery reports, and clients answering STOP.

Each webhook's id is remembered in the same transaction as its effect: the same id again
(the provider's retry, or a replay inside the signature's window) changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notify.adapters import orm
from notify.domain.model import Report
from notify.domain.webhooks import REMEMBERED_FOR, SignedWebhook
from notify.service_layer.planning import Rules
from shared.contracts import Contract
from shared.contracts import notify as notify_contracts
from shared.messaging.envelope import Envelope
from shared.messaging.outbox import add_to_outbox

# What people text to stop messages, in Indonesian and English.
STOP_WORDS = frozenset({"STOP", "BERHENTI", "UNREG", "UNSUBSCRIBE", "STOP ALL", "KELUAR"})

# What a delivery report did: moved a message, changed nothing (no sent message with that id,
# or it would have gone backwards), or nothing at all because the webhook came before.
Recorded = Literal["recorded", "unchanged", "duplicate"]


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
    provider: str,
    webhook: SignedWebhook,
    provider_message_id: str,
    report: Report,
    at: datetime,
    reason: str | None = None,
) -> Recorded:
    """Delivered (announced to the timeline) or failed, never backwards; a webhook seen
    before changes nothing."""
    async with sessions.begin() as session:
        repository = rules.repository(session)
        if not await repository.remember_webhook(provider, webhook):
            return "duplicate"
        found = await repository.delivery_report(provider_message_id, report, at, reason)
        if found is None:
            return "unchanged"
        if report == "delivered" and found.client_id is not None:
            data = notify_contracts.NotificationDelivered(
                notification_id=found.id,
                client_id=found.client_id,
                region_code=found.region_code,
                template=found.template,
                channel=found.channel,
                delivered_at=at,
            )
            await add_to_outbox(session, orm.outbox, data.TOPIC, [_event(data, found.client_id)])
    return "recorded"


async def receive_message(
    sessions: async_sessionmaker[AsyncSession],
    rules: Rules,
    provider: str,
    webhook: SignedWebhook,
    sender: str,
    channel: str,
    text: str,
    received_at: datetime | None,
) -> int:
    """A client's reply. STOP opts every client with that number out (a shared family phone
    asked to stop); returns how many clients opted out. Other replies are not kept."""
    # When the client sent STOP: the provider's `received_at`, never later than the end of the
    # second in which the provider signed the webhook (`t` counts whole seconds; a STOP in the
    # same second as a consent is honoured). The client service withdraws only consents
    # granted before then, so a STOP retried or delayed never withdraws a later consent.
    latest = webhook.signed_at + timedelta(seconds=1)
    sent_at = min(received_at or latest, latest)
    async with sessions.begin() as session:
        repository = rules.repository(session)
        if not await repository.remember_webhook(provider, webhook):
            return 0
        if " ".join(text.upper().split()) not in STOP_WORDS:
            return 0
        clients = await repository.clients_by_phone(sender)
        envelopes = [
            _event(
                notify_contracts.OptedOut(
                    client_id=client_id,
                    region_code=region_code,
                    channel=channel,
                    received_at=sent_at,
                ),
                client_id,
            )
            for client_id, region_code in clients
        ]
        await add_to_outbox(session, orm.outbox, notify_contracts.TOPIC, envelopes)
    return len(envelopes)


async def forget_old_webhooks(sessions: async_sessionmaker[AsyncSession], rules: Rules) -> int:
    """Forget webhook ids whose signature is too old to be accepted again; how many."""
    async with sessions.begin() as session:
        return await rules.repository(session).forget_webhooks(rules.clock() - REMEMBERED_FOR)
