"""Indicators' message bus for the API: the one query and its handler.

The reactions to other services' events have their own bus, built by the worker's routing
table (`projections.consumed`), which gives them the holiday calendar and the data keys; the
API's needs neither.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from indicators.service_layer import commands, queries
from indicators.service_layer.queries import Clock, utc_now
from indicators.service_layer.unit_of_work import IndicatorsUnitOfWork
from shared.messagebus import AnyHandler, MessageBus

COMMAND_HANDLERS: Mapping[type, AnyHandler] = {
    commands.MonthIndicators: queries.indicators,
}


def message_bus(
    sessions: async_sessionmaker[AsyncSession], min_cell: int, clock: Clock = utc_now
) -> MessageBus[IndicatorsUnitOfWork]:
    """The bus of the indicators API; `min_cell` is the smallest count an answer prints."""
    return MessageBus(
        commands=COMMAND_HANDLERS,
        uow=lambda: IndicatorsUnitOfWork(sessions),
        dependencies={"min_cell": min_cell, "clock": clock},
    )
