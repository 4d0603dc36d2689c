"""The composition root of referral: engines are built here, once, on demand."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from referral.settings import ReferralSettings
from shared import db


@dataclass(frozen=True)
class Container:
    settings: ReferralSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]


def build(settings: ReferralSettings | None = None) -> Container:
    settings = settings or ReferralSettings()
    engine = db.async_engine(settings.database_url)
    return Container(settings=settings, engine=engine, sessions=db.session_factory(engine))
