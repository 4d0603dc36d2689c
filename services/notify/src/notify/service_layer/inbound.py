"""What the provider tells notify: delivery reports, and clients answering STOP.

Each webhook's id is remembered in the same transaction as its effect: the same id again
(the provider's retry, or a replay inside the signature's window) changes nothing. A webhook
that changes nothing else is still committed, so its id is remembered all the same.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notify.domain.events import MessageDelivered, StopReceived
from notify.domain.webhooks import REMEMBERED_FOR
from notify.service_layer.commands import ReceiveReply, RecordDelivery, Recorded
from notify.service_layer.planning import Rules
from notify.service_layer.unit_of_work import NotifyUnitOfWork

# What people text to stop messages, in Indonesian and English.
STOP_WORDS = frozenset({"STOP", "BERHENTI", "UNREG", "UNSUBSCRIBE", "STOP ALL", "KELUAR"})


async def record_delivery(cmd: RecordDelivery, uow: NotifyUnitOfWork) -> Recorded:
    """Delivered (announced to the timeline) or failed, never backwards; a webhook seen
    before changes nothing."""
    async with uow:
        repository = uow.notifications
        if not await repository.remember_webhook(cmd.provider, cmd.webhook):
            await uow.commit()
            return "duplicate"
        found = await repository.delivery_report(
            cmd.provider_message_id, cmd.report, cmd.at, cmd.reason
        )
        if found is None:
            await uow.commit()
            return "unchanged"
        if cmd.report == "delivered" and found.client_id is not None:
            uow.announce_event(MessageDelivered(found, cmd.at))
        await uow.commit()
    return "recorded"


async def receive_reply(cmd: ReceiveReply, uow: NotifyUnitOfWork) -> int:
    """A client's reply. STOP opts every client with that number out (a shared family phone
    asked to stop); returns how many clients opted out. Other replies are not kept."""
    # When the client sent STOP: the provider's `received_at`, never later than the end of the
    # second in which the provider signed the webhook (`t` counts whole seconds; a STOP in the
    # same second as a consent is honoured). The client service withdraws only consents
    # granted before then, so a STOP retried or delayed never withdraws a later consent.
    latest = cmd.webhook.signed_at + timedelta(seconds=1)
    sent_at = min(cmd.received_at or latest, latest)
    async with uow:
        repository = uow.notifications
        if not await repository.remember_webhook(cmd.provider, cmd.webhook):
            await uow.commit()
            return 0
        if " ".join(cmd.text.upper().split()) not in STOP_WORDS:
            await uow.commit()
            return 0
        clients = await repository.clients_by_phone(cmd.sender)
        for client_id, region_code in clients:
            uow.announce_event(StopReceived(client_id, region_code, cmd.channel, sent_at))
        await uow.commit()
    return len(clients)


async def forget_old_webhooks(sessions: async_sessionmaker[AsyncSession], rules: Rules) -> int:
    """Forget webhook ids whose signature is too old to be accepted again; how many."""
    async with sessions.begin() as session:
        return await rules.repository(session).forget_webhooks(rules.clock() - REMEMBERED_FOR)
