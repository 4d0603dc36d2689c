"""Database plumbing: a metadata with one naming convention, engines, sessions, migrations."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

import sqlalchemy
from alembic import command
from alembic.config import Config
from sqlalchemy import (
    JSON,
    ColumnElement,
    Engine,
    MetaData,
    Table,
    Text,
    any_,
    bindparam,
    cast,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY, Insert, insert
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


def insert_many(table: Table, rows: Sequence[Mapping[str, Any]]) -> Insert:
    """An INSERT of `rows` (dicts with the same keys) whose SQL does not depend on their number.

    Each column travels as one array parameter and `unnest` turns the arrays back into rows,
    so a batch of 3 rows and one of 3,000 are the same statement: compiled once by
    SQLAlchemy, parsed once by the driver, and never near PostgreSQL's parameter limit.
    Add `on_conflict_*` and `returning` as to any PostgreSQL insert.
    """
    columns = list(rows[0])
    arrays, selected = [], []
    for name in columns:
        kind, values = table.c[name].type, [row[name] for row in rows]
        if isinstance(kind, JSON):  # a list inside would read as another array dimension
            kind, values = Text(), [None if v is None else json.dumps(v) for v in values]
        arrays.append(bindparam(f"rows_{name}", values, type_=ARRAY(kind)))
    source = func.unnest(*arrays).table_valued(*columns).render_derived()
    for name in columns:
        kind = table.c[name].type
        selected.append(cast(source.c[name], kind) if isinstance(kind, JSON) else source.c[name])
    return insert(table).from_select(columns, select(*selected))


def any_of(column: ColumnElement[Any], values: Sequence[Any]) -> ColumnElement[bool]:
    """`column = ANY(:array)`: like `IN`, but one statement whatever the number of values."""
    return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))


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
