"""Search by exact NIK and by phone is answered from an index, not by reading the table."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncSession

from client.adapters.repositories.clients import ClientRepository
from client.bootstrap import nik_protector
from client.settings import ClientSettings
from shared.auth import RegionScope
from shared.db import sync_engine, upgrade
from support import stack

sys.path.insert(0, str(stack.ROOT))
from benchmarks.seed import seed

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    url = stack.database_url("client", test=True)
    upgrade("client.migrations", url)
    engine = sync_engine(url)
    seed(engine, 30_000, tag=f"plan-{uuid.uuid4()}")
    yield engine
    engine.dispose()


def _plan(engine: Engine, **criteria: str) -> str:
    repository = ClientRepository(AsyncSession(), nik_protector(ClientSettings()))
    query = repository.search_query(RegionScope("3273"), limit=50, after=None, **criteria)
    compiled = query.compile(dialect=engine.dialect)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params)
        return "\n".join(row[0] for row in rows)


def test_search_by_exact_nik_uses_the_keyed_index(engine: Engine) -> None:
    plan = _plan(engine, nik="3273014506900007")
    assert "uq_clients_nik_index" in plan, plan
    assert "Seq Scan" not in plan, plan


def test_search_by_phone_uses_the_phone_index(engine: Engine) -> None:
    plan = _plan(engine, phone="+6281200001234")
    assert "ix_clients_phone" in plan, plan
    assert "Seq Scan" not in plan, plan
