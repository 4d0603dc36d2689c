"""Database plumbing: a metadata with one naming convention, engines, sessions, migrations."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from importlib import resources
from typing import Any, Literal

import psycopg
import sqlalchemy
from alembic import command
from alembic.config import Config
from psycopg.types.array import ListBinaryDumper
from sqlalchemy import (
    JSON,
    ColumnElement,
    CursorResult,
    Dialect,
    Engine,
    MetaData,
    Table,
    Text,
    TypeDecorator,
    any_,
    bindparam,
    cast,
    event,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY, Insert, insert
from sqlalchemy.ext import asyncio as sa_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.sql.dml import ReturningInsert
from sqlalchemy.types import TypeEngine

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


# Row-level security (decision 0011): PostgreSQL's policies let a transaction see the rows of
# the region in `jembatan.region` (and a partner's own in `jembatan.partner`); 'all' is for
# the processes that work for every region, nothing at all for a transaction that set none.
REGION_SETTING = "jembatan.region"
PARTNER_SETTING = "jembatan.partner"
ALL_REGIONS = "all"
_caller_rows: ContextVar[tuple[str | None, str | None]] = ContextVar(
    "caller_rows", default=(None, None)
)
Rows = Literal["caller", "all"]


def rows_of(region: str | None, partner_code: str | None = None) -> None:
    """The rows the current request's transactions may see: its caller's, from the token."""
    _caller_rows.set((region, partner_code))


@contextmanager
def all_regions() -> Iterator[None]:
    """A block that works for every region (a provider's signed webhook, not a person)."""
    token = _caller_rows.set((ALL_REGIONS, None))
    try:
        yield
    finally:
        _caller_rows.reset(token)


def _scope_each_transaction(engine: Engine, rows: Rows) -> None:
    def scope(connection: sqlalchemy.Connection) -> None:
        region, partner = (ALL_REGIONS, None) if rows == "all" else _caller_rows.get()
        if region is None and partner is None:
            return  # unset: the policies show nothing
        connection.exec_driver_sql(
            "SELECT set_config(%(rk)s, %(region)s, true), set_config(%(pk)s, %(partner)s, true)",
            {
                "rk": REGION_SETTING,
                "region": region or "",
                "pk": PARTNER_SETTING,
                "partner": partner or "",
            },
        )

    event.listen(engine, "begin", scope)


# Engines are created through the modules' attributes, looked up at call time, so that
# OpenTelemetry's SQLAlchemy instrumentation (which patches them) traces every engine. They
# hide statement parameters from their errors: a failed INSERT would log a person's name.


def async_engine(url: str, *, pool_size: int = 10, rows: Rows = "all") -> AsyncEngine:
    """An engine; `rows="caller"` (the APIs) limits each transaction to the caller's rows."""
    engine = sa_asyncio.create_async_engine(
        url, pool_size=pool_size, max_overflow=10, pool_pre_ping=True, hide_parameters=True
    )
    _scope_each_transaction(engine.sync_engine, rows)
    return engine


def sync_engine(url: str, *, pool_size: int = 2) -> Engine:
    engine = sqlalchemy.create_engine(
        url, pool_size=pool_size, max_overflow=2, pool_pre_ping=True, hide_parameters=True
    )
    _scope_each_transaction(engine, "all")
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


class _Packed(list[Any]):
    """The values of one array parameter, which psycopg sends to PostgreSQL in binary."""


# psycopg sends lists as text by default: each element quoted and escaped through regular
# expressions, the largest cost of a bulk statement (1-2 µs per value against 0.1-0.2 µs in
# binary; benchmarks/README.md). Only our own bulk parameters are sent so; every other list
# keeps psycopg's default.
psycopg.adapters.register_dumper(_Packed, ListBinaryDumper)


class _BulkArray(TypeDecorator[list[Any]]):
    """An array parameter of bulk statements, sent in binary; SQL casts it to `item[]`."""

    impl = ARRAY
    cache_ok = True

    def __init__(self, item_type: TypeEngine[Any]) -> None:
        super().__init__(item_type)
        self._item_type = item_type

    def bind_processor(self, dialect: Dialect) -> Any:
        item = self._item_type.dialect_impl(dialect).bind_processor(dialect)

        def process(values: Sequence[Any] | None) -> _Packed | None:
            if values is None:
                return None
            return _Packed(values if item is None else map(item, values))

        return process


class BulkInsert:
    """An INSERT of any number of rows as one statement, compiled once.

    Each column travels as one array parameter and `unnest` turns the arrays back into rows,
    so a batch of 3 rows and one of 3,000 are the same SQL: parsed once by the driver and
    never near PostgreSQL's parameter limit. `finish` adds `on_conflict_*` and `returning` as
    to any PostgreSQL insert. SQLAlchemy compiles a PostgreSQL insert afresh on every
    execution (it cannot cache ON CONFLICT); this compiles it once per dialect, which batch
    consumers would otherwise pay on every batch. Build one per statement, at module level.
    """

    def __init__(
        self,
        table: Table,
        columns: Sequence[str],
        finish: Callable[[Insert], Insert | ReturningInsert[Any]] | None = None,
    ) -> None:
        self.columns = tuple(columns)
        # JSON travels as text: a list inside would read as another array dimension.
        self._json = frozenset(c for c in self.columns if isinstance(table.c[c].type, JSON))
        self._arrays = {
            name: _BulkArray(Text() if name in self._json else table.c[name].type)
            for name in self.columns
        }
        source = (
            func.unnest(*(bindparam(f"rows_{c}", type_=t) for c, t in self._arrays.items()))
            .table_valued(*self.columns)
            .render_derived()
        )
        selected = [
            cast(source.c[c], table.c[c].type) if c in self._json else source.c[c]
            for c in self.columns
        ]
        statement = insert(table).from_select(list(self.columns), select(*selected))
        self._statement = finish(statement) if finish else statement
        self._compiled: dict[str, tuple[str, dict[str, Any]]] = {}  # by dialect

    def _compile(self, dialect: Dialect) -> tuple[str, dict[str, Any]]:
        """The SQL and each array's value processor."""
        if dialect.name not in self._compiled:
            compiled = self._statement.compile(dialect=dialect)
            assert set(compiled.binds) == {f"rows_{c}" for c in self.columns}
            processors = {c: t.bind_processor(dialect) for c, t in self._arrays.items()}
            self._compiled[dialect.name] = (compiled.string, processors)
        return self._compiled[dialect.name]

    async def execute(
        self, session: AsyncSession, rows: Sequence[Mapping[str, Any]]
    ) -> CursorResult[Any]:
        """Insert `rows` (dicts holding at least `columns`) in the session's transaction."""
        connection = await session.connection()
        sql, processors = self._compile(connection.dialect)
        parameters = {}
        for name, packed in processors.items():
            values = [row[name] for row in rows]
            if name in self._json:
                values = [None if v is None else json.dumps(v) for v in values]
            parameters[f"rows_{name}"] = packed(values)
        return await connection.exec_driver_sql(sql, parameters)


def any_of(column: ColumnElement[Any], values: Sequence[Any]) -> ColumnElement[bool]:
    """`column = ANY(:array)`: like `IN`, but one statement whatever the number of values."""
    return column == any_(bindparam(None, list(values), type_=_BulkArray(column.type)))


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
