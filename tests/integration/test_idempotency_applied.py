"""A keyed request whose effect committed never runs a second time, even when its answer was
lost between the COMMIT and the caller (a database crash, a process killed); a request that
failed before its effect frees its key for the retry. Real PostgreSQL (the client service's
test database, its outbox and idempotency tables); the token check is a stand-in, since
this is about the middleware, not the tokens.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from client.adapters import orm
from shared import db, idempotency
from shared.auth import Principal
from shared.db import upgrade
from shared.messaging.envelope import Envelope
from shared.messaging.outbox import add_to_outbox
from support import stack

pytestmark = pytest.mark.integration

TOPIC = "test.things"


class _OneCaller:
    """Every token is one officer's (the middleware keys its reservations by the subject)."""

    def __init__(self, subject: str) -> None:
        self._principal = Principal(subject, "officer", None, frozenset({"officer"}), "3273", None)

    def needs_fetch(self, token: str) -> bool:
        return False

    def verify(self, token: str) -> Principal:
        return self._principal


@pytest.fixture
async def engine() -> AsyncIterator[AsyncEngine]:
    url = stack.database_url("client", test=True)
    upgrade("client.migrations", url)
    engine = db.async_engine(url)
    yield engine
    async with engine.begin() as conn:  # unpublished rows would reach the next relay's batch
        await conn.execute(delete(orm.outbox).where(orm.outbox.c.topic == TOPIC))
    await engine.dispose()


def _app(engine: AsyncEngine, subject: str, failures: list[str]) -> FastAPI:
    """POST /things/{tag}: writes one event to the outbox, then fails as `failures` says."""
    app = FastAPI()
    app.state.token_verifier = _OneCaller(subject)
    sessions = async_sessionmaker(engine, expire_on_commit=False)

    @app.post("/things/{tag}", status_code=201)
    async def make(tag: str) -> dict[str, str]:
        failure = failures.pop(0) if failures else None
        async with sessions() as session, session.begin():
            envelope = Envelope(
                type="jembatan.test.thing.v1", source="/test", subject=tag, key=tag, data={}
            )
            await add_to_outbox(session, orm.outbox, TOPIC, [envelope])
            if failure == "before commit":
                raise ConnectionResetError("the database went away before the commit")
        if failure == "after commit":
            raise ConnectionResetError("the database went away with the commit's answer")
        return {"tag": tag}

    idempotency.install(app, engine, orm.idempotency_keys)
    return app


async def _events(engine: AsyncEngine, tag: str) -> int:
    async with engine.connect() as conn:
        count = await conn.execute(
            select(func.count()).select_from(orm.outbox).where(orm.outbox.c.subject == tag)
        )
        return int(count.scalar_one())


async def _post(app: FastAPI, tag: str, key: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        return await http.post(
            f"/things/{tag}", headers={"Authorization": "Bearer t", "Idempotency-Key": key}
        )


async def test_an_effect_whose_answer_was_lost_is_never_repeated(engine: AsyncEngine) -> None:
    tag, key = f"lost-{uuid.uuid4()}", str(uuid.uuid4())
    app = _app(engine, f"subject-{uuid.uuid4()}", ["after commit"])
    first = await _post(app, tag, key)
    assert first.status_code == 500
    retries = [await _post(app, tag, key) for _ in range(2)]
    assert [r.status_code for r in retries] == [409, 409]
    assert all(r.json()["type"].endswith("/answer-lost") for r in retries)
    assert await _events(engine, tag) == 1  # the first run's event, and no second


async def test_a_failure_before_the_effect_frees_the_key_for_the_retry(
    engine: AsyncEngine,
) -> None:
    tag, key = f"failed-{uuid.uuid4()}", str(uuid.uuid4())
    app = _app(engine, f"subject-{uuid.uuid4()}", ["before commit"])
    assert (await _post(app, tag, key)).status_code == 500
    assert await _events(engine, tag) == 0
    retried = await _post(app, tag, key)
    assert retried.status_code == 201, retried.text
    replayed = await _post(app, tag, key)
    assert replayed.status_code == 201 and replayed.headers["idempotent-replayed"] == "true"
    assert await _events(engine, tag) == 1


async def test_outside_a_keyed_request_nothing_is_marked(engine: AsyncEngine) -> None:
    app = _app(engine, f"subject-{uuid.uuid4()}", [])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        tag = f"plain-{uuid.uuid4()}"
        answer = await http.post(f"/things/{tag}", headers={"Authorization": "Bearer t"})
    assert answer.status_code == 201
    assert await _events(engine, tag) == 1
    # a consumer's transaction (no request around it) writes its events and marks no key
    sessions = async_sessionmaker(engine)
    async with sessions() as session, session.begin():
        envelope = Envelope(
            type="jembatan.test.thing.v1", source="/test", subject=tag, key=tag, data={}
        )
        await add_to_outbox(session, orm.outbox, TOPIC, [envelope])
        assert idempotency._MARKED not in session.info
