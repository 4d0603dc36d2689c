"""The composition root of training: engines are built here, once, on demand."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shared import db
from shared.sealing import DataKeys, data_keys
from shared.settings import service_account
from training.settings import TrainingSettings


@dataclass(frozen=True)
class Container:
    settings: TrainingSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    keys: DataKeys


def build(settings: TrainingSettings | None = None, *, rows: db.Rows = "all") -> Container:
    """`rows="caller"`: the API, whose transactions see only the caller's rows (decision 0011)."""
    settings = settings or TrainingSettings()
    engine = db.async_engine(settings.database_url, rows=rows)
    return Container(
        settings=settings,
        engine=engine,
        sessions=db.session_factory(engine),
        keys=data_keys(settings.client_service_url, *service_account(settings)),
    )
