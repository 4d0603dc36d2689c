"""Notify's message bus: which handler answers each command its routes send.

Notify's reactions to other services' events are not on this bus: they run a batch of
events in one planning `Work` (one read-ahead of the batch's clients, one bulk write) and
open sealed values prefetched for the batch (`reactions.consumed`), which the bus's
event table, one event and one unit of work at a time, would give up.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notify.adapters.contacts import ContactProtector
from notify.service_layer import commands, handlers, inbound
from notify.service_layer.unit_of_work import NotifyUnitOfWork
from shared.messagebus import AnyHandler, MessageBus

COMMAND_HANDLERS: Mapping[type, AnyHandler] = {
    commands.ListNotifications: handlers.list_notifications,
    commands.PreviewMessage: handlers.preview_message,
    commands.RecordDelivery: inbound.record_delivery,
    commands.ReceiveReply: inbound.receive_reply,
}


def message_bus(
    sessions: async_sessionmaker[AsyncSession], contacts: ContactProtector
) -> MessageBus[NotifyUnitOfWork]:
    """The bus of the notify API."""
    return MessageBus(
        commands=COMMAND_HANDLERS,
        uow=lambda: NotifyUnitOfWork(sessions, contacts),
        joining=lambda session: NotifyUnitOfWork.within(session, contacts),
    )
