"""The composition root of training: engines are built here, once, on demand."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shared import db
from training.settings import TrainingSettings


@dataclass(frozen=True)
class Container:
    settings: TrainingSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]


def build(settings: TrainingSettings | None = None) -> Container:
    settings = settings or TrainingSettings()
    engine = db.async_engine(settings.database_url)
    return Container(settings=settings, engine=engine, sessions=db.session_factory(engine))
