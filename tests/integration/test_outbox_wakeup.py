"""The relay hears committed outbox rows instead of polling for them (real PostgreSQL).

Works in the client service's test database, which no running process writes to: every
notification heard there is this test's.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text

from client.adapters import orm
from shared.db import upgrade
from shared.messaging.envelope import Envelope
from shared.messaging.wakeup import Wakeup
from support import stack

pytestmark = pytest.mark.integration


@pytest.fixture
def engine() -> Iterator[Engine]:
    url = stack.database_url("client", test=True)
    upgrade("client.migrations", url)
    engine = create_engine(url)
    yield engine
    engine.dispose()


def _insert(engine: Engine, *, commit: bool) -> None:
    envelope = Envelope(
        type="jembatan.test.woke.v1", source="/tests", subject="s", key="k", data={}
    )
    with engine.connect() as conn:
        conn.execute(
            orm.outbox.insert(),
            {
                "event_id": envelope.id,
                "topic": "test.wakeup",
                "msg_key": envelope.key,
                "event_type": envelope.type,
                "source": envelope.source,
                "subject": envelope.subject,
                "payload": {"n": str(uuid.uuid4())},
            },
        )
        if commit:
            conn.commit()
        else:
            conn.rollback()


def test_a_committed_row_wakes_the_relay_and_a_rolled_back_one_does_not(engine: Engine) -> None:
    wakeup = Wakeup(engine)
    try:
        assert wakeup.listen()
        while wakeup.wait(0.05):  # whatever an earlier test left in the channel
            pass
        _insert(engine, commit=False)
        assert wakeup.wait(0.5) is False  # nothing committed, nothing heard
        _insert(engine, commit=True)
        assert wakeup.wait(30) is True  # heard, not timed out
        assert wakeup.wait(0.2) is False  # one transaction, one notification
    finally:
        wakeup.close()
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM outbox WHERE topic = 'test.wakeup'"))


def test_a_lost_connection_falls_back_to_polling_and_listens_again(engine: Engine) -> None:
    wakeup = Wakeup(engine)
    try:
        assert wakeup.listen()
        pid = wakeup._raw.driver_connection.info.backend_pid
        with engine.begin() as conn:  # as a database restart would
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        assert wakeup.wait(5) is None  # the caller polls
        _insert(engine, commit=True)
        assert wakeup.listen()  # a new connection, listening
        _insert(engine, commit=True)
        assert wakeup.wait(30) is True
    finally:
        wakeup.close()
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM outbox WHERE topic = 'test.wakeup'"))
