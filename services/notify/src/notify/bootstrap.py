"""The composition root of notify: engines and the consumer are built here, once, on demand."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from notify.adapters import orm
from notify.service_layer.reactions import CONSUMED
from notify.settings import NotifySettings
from shared import db
from shared.messaging.consumer import IdempotentConsumer


@dataclass(frozen=True)
class Container:
    settings: NotifySettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    def consumer(self, topic: str) -> IdempotentConsumer:
        return IdempotentConsumer(
            self.settings.consumer_group, self.sessions, orm.inbox, CONSUMED[topic]
        )


def build(settings: NotifySettings | None = None) -> Container:
    settings = settings or NotifySettings()
    engine = db.async_engine(settings.database_url)
    return Container(settings=settings, engine=engine, sessions=db.session_factory(engine))
