"""Database plumbing: a metadata with one naming convention, engines, sessions, migrations."""

from __future__ import annotations

from importlib import resources

import sqlalchemy
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, MetaData
from sqlalchemy.ext import asyncio as sa_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

# Explicit constraint names make migrations reviewable and reversible.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


# Engines are created through the modules' attributes, looked up at call time, so that
# OpenTelemetry's SQLAlchemy instrumentation (which patches them) traces every engine.


def async_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    return sa_asyncio.create_async_engine(
        url, pool_size=pool_size, max_overflow=10, pool_pre_ping=True
    )


def sync_engine(url: str, *, pool_size: int = 2) -> Engine:
    return sqlalchemy.create_engine(url, pool_size=pool_size, max_overflow=2, pool_pre_ping=True)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(migrations_package: str, database_url: str) -> Config:
    """An Alembic config for a service's `migrations` package; no alembic.ini needed."""
    location = resources.files(migrations_package)
    config = Config()
    config.set_main_option("script_location", str(location))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    return config


def upgrade(migrations_package: str, database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(migrations_package, database_url), revision)
