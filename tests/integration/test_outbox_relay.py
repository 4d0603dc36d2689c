"""The relay against real PostgreSQL and Kafka: no row skipped, per-key order kept, and no
destination that refuses its rows stops the others.

Each test works in a schema of its own (a private `outbox` table) and a topic of its own, so
the stack's running relays never touch its rows.
"""

from __future__ import annotations

import contextlib
import json
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from kafka import KafkaAdminClient
from kafka.errors import TopicAlreadyExistsError, UnknownTopicOrPartitionError
from sqlalchemy import Engine, MetaData, create_engine, insert, text
from typer.testing import CliRunner

from ops.cli import app as jembatan
from shared.messaging.claiming import Retries
from shared.messaging.destinations import kafka_topics
from shared.messaging.envelope import Envelope
from shared.messaging.outbox_table import outbox_table
from shared.messaging.producer import kafka_producer
from shared.messaging.relay import OutboxRelay
from support import stack

pytestmark = pytest.mark.integration

WRITERS = 16
OUTBOX = outbox_table(MetaData())  # unqualified: each test's search_path picks its schema
EVENTS_PER_WRITER = 40


@pytest.fixture
def schema() -> Iterator[str]:
    name = f"relaytest_{uuid.uuid4().hex[:8]}"
    admin = create_engine(stack.database_url("client"))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    metadata = MetaData(schema=name)
    outbox_table(metadata)
    metadata.create_all(admin)
    with admin.begin() as conn:  # the services' wake-up call (shared.migrations)
        conn.execute(
            text(
                f'CREATE TRIGGER outbox_wakeup AFTER INSERT ON "{name}".outbox'
                " FOR EACH STATEMENT EXECUTE FUNCTION public.jembatan_outbox_wakeup()"
            )
        )
    yield name
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    admin.dispose()


@pytest.fixture
def engine(schema: str) -> Iterator[Engine]:
    engine = create_engine(
        stack.database_url("client"),
        connect_args={"options": f"-csearch_path={schema}"},
        pool_size=WRITERS + 2,
    )
    yield engine
    engine.dispose()


@pytest.fixture
def topic() -> Iterator[str]:
    name = f"test.relay.{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=stack.KAFKA, **stack.AS_ADMIN)
    admin.create_topics({name: {"num_partitions": 3, "replication_factor": 1}})
    yield name
    admin.delete_topics([name])
    admin.close()


def _write(engine: Engine, topic: str, key: str, seq: int) -> None:
    """One use case's transaction: serialised per key, as the client row lock does in services."""
    envelope = Envelope(
        type="jembatan.test.written.v1", source="/tests", subject=key, key=key, data={"seq": seq}
    )
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": key})
        conn.execute(
            insert(OUTBOX),
            {
                "event_id": envelope.id,
                "topic": topic,
                "msg_key": key,
                "event_type": envelope.type,
                "source": envelope.source,
                "subject": envelope.subject,
                "payload": envelope.data,
            },
        )


def test_sixteen_concurrent_writers_lose_nothing_and_keep_per_key_order(
    engine: Engine, topic: str
) -> None:
    relay = _relay(engine, "relay-test", batch_size=50)
    stop = threading.Event()
    relay_thread = threading.Thread(target=relay.run, args=(stop,), kwargs={"idle_wait_s": 0.01})
    relay_thread.start()
    keys = [str(uuid.uuid4()) for _ in range(WRITERS)]
    try:
        with stack.reading(topic) as consumer:
            writers = [
                threading.Thread(
                    target=lambda k=key: [
                        _write(engine, topic, k, s) for s in range(EVENTS_PER_WRITER)
                    ]
                )
                for key in keys
            ]
            for w in writers:
                w.start()
            for w in writers:
                w.join()
            expected = WRITERS * EVENTS_PER_WRITER
            records = stack.drain_until(consumer, lambda rs: len(rs) >= expected)
    finally:
        stop.set()
        relay_thread.join(timeout=30)

    by_key: dict[str, list[int]] = defaultdict(list)
    ids: list[str] = []
    for record in records:
        event = Envelope.from_kafka(record.key, record.value, record.headers)
        by_key[event.key].append(event.data["seq"])
        ids.append(str(event.id))
    assert len(ids) == len(set(ids)) == WRITERS * EVENTS_PER_WRITER
    for key in keys:
        assert by_key[key] == list(range(EVENTS_PER_WRITER)), f"key {key} out of order"
    with engine.connect() as conn:
        assert (
            conn.execute(text("SELECT count(*) FROM outbox WHERE published_at IS NULL")).scalar()
            == 0
        )


def test_only_one_relay_is_active_per_service(engine: Engine, topic: str) -> None:
    for seq in range(5):
        _write(engine, topic, "k", seq)
    first = _relay(engine, "relay-test")
    second = _relay(engine, "relay-test")
    with engine.begin() as conn:
        # Hold the leader lock as a running relay would, mid-batch.
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _lock_id("relay-test")})
        assert second.relay_batch() == 0
    assert first.relay_batch() == 5
    assert second.relay_batch() == 0  # nothing left


def _relay(engine: Engine, service: str, **options: Any) -> OutboxRelay:
    return OutboxRelay(
        engine,
        lambda: kafka_producer(stack.KAFKA, service, stack.ADMIN),
        service=service,
        topics=kafka_topics(stack.KAFKA, service, stack.ADMIN),
        **options,
    )


def _lock_id(service: str) -> int:
    from shared.messaging.relay import relay_lock_id

    return relay_lock_id(service)


def test_a_published_row_keeps_no_payload_and_old_rows_are_purged(
    engine: Engine, topic: str
) -> None:
    for seq in range(3):
        _write(engine, topic, "k", seq)
    relay = _relay(engine, "t")
    assert relay.relay_batch() == 3
    with engine.connect() as conn:
        payloads = conn.execute(text("SELECT payload FROM outbox")).scalars().all()
    assert payloads == [{}, {}, {}]

    # A row an older relay published with its payload, and one published two days ago.
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE outbox SET payload = '{\"seq\": 9}' WHERE id = (SELECT min(id) FROM outbox)"
            )
        )
        conn.execute(
            text(
                "UPDATE outbox SET published_at = now() - interval '2 days'"
                " WHERE id = (SELECT max(id) FROM outbox)"
            )
        )
    assert relay.purge() == 1
    with engine.connect() as conn:
        left = conn.execute(text("SELECT payload FROM outbox")).scalars().all()
    assert left == [{}, {}]


def _sequences(records: list[Any]) -> dict[str, list[int]]:
    by_key: dict[str, list[int]] = defaultdict(list)
    for record in records:
        event = Envelope.from_kafka(record.key, record.value, record.headers)
        by_key[event.key].append(event.data["seq"])
    return by_key


def _jembatan(schema: str, *args: str) -> Any:
    """The operator's command on this test's outbox (the client service's, in `schema`)."""
    url = f"{stack.database_url('client')}?options=-csearch_path%3D{schema}"
    result = CliRunner().invoke(jembatan, ["outbox", *args], env={"CLIENT_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_a_missing_topic_stops_no_other_and_its_rows_wait_parked_for_an_operator(
    engine: Engine, schema: str, topic: str
) -> None:
    admin = KafkaAdminClient(bootstrap_servers=stack.KAFKA, **stack.AS_ADMIN)
    gone = f"test.relay.gone.{uuid.uuid4().hex[:8]}"  # a partner topic someone deleted
    flowing = [f"flowing-{n}" for n in range(10)]
    blocked = [f"blocked-{n}" for n in range(2)]
    for seq in range(10):
        for key in flowing:
            _write(engine, topic, key, seq)
        for key in blocked:
            _write(engine, gone, key, seq)
    quick = Retries(base=timedelta(milliseconds=50), cap=timedelta(milliseconds=200), park_after=3)
    relay = _relay(engine, "relay-test", batch_size=50, retries=quick)
    stop = threading.Event()
    relay_thread = threading.Thread(target=relay.run, args=(stop,), kwargs={"idle_wait_s": 0.01})
    try:
        with stack.reading(topic) as consumer:
            relay_thread.start()
            records = stack.drain_until(consumer, lambda rs: len(rs) >= 100)
        assert _sequences(records) == {key: list(range(10)) for key in flowing}

        # The first row of each blocked key is parked after its attempts; the rest wait behind.
        parked = stack.eventually(
            lambda: _jembatan(schema, "parked", "--service", "client", "--json") or None
        )
        assert [(row["topic"], row["key"], row["attempts"], row["behind"]) for row in parked] == [
            (gone, key, 3, 9) for key in blocked
        ]
        assert all(f"topic {gone} does not exist" in row["reason"] for row in parked)
        with engine.connect() as conn:
            waiting = conn.execute(
                text("SELECT count(*) FROM outbox WHERE published_at IS NULL")
            ).scalar_one()
        assert waiting == 20

        stack.eventually(lambda: _create(admin, gone))
        with stack.reading(gone) as consumer:
            assert _jembatan(schema, "retry", "--service", "client", "--all", "--json") == {
                "client": 2
            }
            records = stack.drain_until(consumer, lambda rs: len(rs) >= 20)
        assert _sequences(records) == {key: list(range(10)) for key in blocked}
        assert _jembatan(schema, "parked", "--service", "client", "--json") == []
    finally:
        stop.set()
        relay_thread.join(timeout=30)
        with contextlib.suppress(UnknownTopicOrPartitionError):  # the test failed before it
            admin.delete_topics([gone])
        admin.close()


def _create(admin: KafkaAdminClient, name: str) -> bool | None:
    try:
        admin.create_topics({name: {"num_partitions": 3, "replication_factor": 1}})
    except TopicAlreadyExistsError:
        return None  # the deletion is still under way
    return True
