"""NIK keys rotate online: after `client.entrypoints.rotate_keys` every stored NIK names the
newest key, still reveals to the same digits without the old key, and is still found by
exact search (the keyed index does not change). Real PostgreSQL, in a schema of its own
holding the client service's `clients` table, so other tests' rows are never rewritten.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, MetaData, create_engine, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from client.adapters import orm
from client.adapters.repositories.clients import ClientRepository
from client.adapters.repositories.nik import NikProtector
from client.domain.model import Client, FinancialProfile
from client.entrypoints.rotate_keys import key_ids_in_use, rotate
from shared.auth import RegionScope
from shared.crypto import BlindIndex, FieldCipher, Keyring, derive_key
from shared.db import upgrade
from support import stack
from support.people import nik_for

pytestmark = pytest.mark.integration

INDEX = BlindIndex(derive_key("index-secret", "nik-hmac-index-v1"))
LEGACY = "legacy-secret"
OLD = Keyring.from_secrets("old=old-secret", "nik-aes-gcm-v1", b"clients.nik")
NEW = Keyring.from_secrets(
    "new=new-secret,old=old-secret", "nik-aes-gcm-v1", b"clients.nik", legacy_secret=LEGACY
)
NEW_ONLY = Keyring.from_secrets("new=new-secret", "nik-aes-gcm-v1", b"clients.nik")
SCOPE = RegionScope("3273")


class _Regions:
    def exists(self, code: str) -> bool:
        return True


@pytest.fixture
def schema() -> Iterator[str]:
    name = f"rotation_{uuid.uuid4().hex[:8]}"
    upgrade("client.migrations", stack.database_url("client", test=True))  # pg_trgm
    admin = create_engine(stack.database_url("client", test=True))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
        orm.clients.to_metadata(MetaData(schema=name)).create(conn)
    yield name
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    admin.dispose()


def _engines(schema: str) -> tuple[Engine, AsyncEngine]:
    url = stack.database_url("client", test=True)
    options = {"options": f"-csearch_path={schema},public"}
    return create_engine(url, connect_args=options), create_async_engine(url, connect_args=options)


def _client(number: int) -> Client:
    born = date(1980 + number % 20, 1 + number % 12, 1 + number % 28)
    return Client.register(
        kind="worker",
        nik=nik_for(born, "F"),
        full_name=f"Peserta {number}",
        birth_date=born,
        sex="F",
        phone="+6281200000000",
        phone_is_mobile=True,
        email=None,
        region_code="3273",
        preferred_language="id",
        disability=False,
        financial_profile=FinancialProfile(),
        business=None,
        registered_by="officer",
        now=datetime.now(UTC),
        regions=_Regions(),
    )


async def test_after_rotation_every_nik_names_the_new_key_and_still_reveals_and_is_found(
    schema: str,
) -> None:
    sync, engine = _engines(schema)
    clients = [_client(n) for n in range(23)]
    async with AsyncSession(engine) as session, session.begin():
        await ClientRepository(session, NikProtector(OLD, INDEX)).add_many(clients[:20])
        # Three stored before key ids existed, under the legacy secret.
        legacy = FieldCipher(derive_key(LEGACY, "nik-aes-gcm-v1"), b"clients.nik")
        await ClientRepository(session, NikProtector(OLD, INDEX)).add_many(clients[20:])
        for c in clients[20:]:
            await session.execute(
                text("UPDATE clients SET nik_ciphertext = :b WHERE id = :i"),
                {"b": legacy.encrypt(c.nik_value), "i": c.id},
            )
    assert key_ids_in_use(sync) == {"old": 20, "": 3}

    done = rotate(sync, NEW, batch=7)

    assert (done.examined, done.rewritten, done.batches) == (23, 23, 4)
    assert key_ids_in_use(sync) == {"new": 23}
    assert rotate(sync, NEW, batch=7).rewritten == 0  # a second run finds nothing to do
    async with AsyncSession(engine) as session, session.begin():
        clients_now = ClientRepository(session, NikProtector(NEW_ONLY, INDEX))
        for c in clients:
            assert await clients_now.nik_of(c.id, SCOPE) == c.nik
            [found] = await clients_now.search(SCOPE, limit=5, after=None, nik=c.nik_value)
            assert found.id == c.id and found.nik is None  # a search never decrypts
    sync.dispose()
    await engine.dispose()
