"""The composition root of indicators: engine, holiday calendar and consumers, built once."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from indicators.adapters import orm
from indicators.service_layer.projections import consumed
from indicators.settings import IndicatorsSettings
from shared import db
from shared.calendar import IndonesianHolidays
from shared.messaging.consumer import IdempotentConsumer
from shared.sealing import DataKeys, data_keys
from shared.settings import service_account


@dataclass(frozen=True)
class Container:
    settings: IndicatorsSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    holidays: IndonesianHolidays
    keys: DataKeys

    def consumer(self, topic: str) -> IdempotentConsumer:
        return IdempotentConsumer(
            self.settings.consumer_group,
            self.sessions,
            orm.inbox,
            consumed(self.holidays, self.keys)[topic],
        )


def build(settings: IndicatorsSettings | None = None) -> Container:
    settings = settings or IndicatorsSettings()
    engine = db.async_engine(settings.database_url)
    return Container(
        settings,
        engine,
        db.session_factory(engine),
        IndonesianHolidays(),
        data_keys(settings.client_service_url, *service_account(settings)),
    )
