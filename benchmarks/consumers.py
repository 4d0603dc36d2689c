"""Events handled per second by one consumer process, beside the raw consume rate of the same
Kafka client library on the same topic, in the same run.

    python benchmarks/consumers.py [--consumer notify|timeline] [--events 20000] [--rounds 3]

Consumers: `notify` (the notify worker: its real faust app and reactions, the sender off, on
`notify_bench`) and `timeline` (the client service's timeline projection, on `client_bench`).
Fills a fresh topic (3 partitions) with client events as the client service writes them (each
client: a registration, then a notifications consent for SMS; for notify that plans the
welcome: one scheduled SMS, two suppressed channels, one outbox row), reads it once with a
bare aiokafka consumer (decoding each CloudEvent), then, in each round, one after another:
1. reads it with faust-streaming, the consumers' library, with the workers' settings and
   batching, decoding and acknowledging each record: the reference of the ratio;
2. runs the consumer in its own process against its database, emptied first, and times it
   from its inbox rows.
Both rates: the events before the last batch, over the time from the first batch's start to
the last one's. The figures are the medians of the rounds, the ratio the median of the
rounds' ratios. Prints one JSON line per figure. Loopback only; the topic is deleted afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import common  # noqa: E402
from shared.kafka_security import local_admin  # noqa: E402

# As the local broker's admin, on the services' listener (infra/kafka/server.properties.in).
KAFKA = "127.0.0.1:9095"
ADMIN = local_admin()
URLS = {
    "notify": "postgresql+psycopg://notify:notify-dev@127.0.0.1:5432/notify_bench",
    "timeline": "postgresql+psycopg://client:client-dev@127.0.0.1:5432/client_bench",
}


def _events(count: int) -> list[tuple[bytes, bytes, list[tuple[str, bytes]]]]:
    from shared.contracts import client as contracts
    from shared.messaging.envelope import Envelope

    out = []
    for i in range(count // 2):
        client_id = uuid.uuid4()
        registered = contracts.ClientRegistered(
            client_id=client_id,
            kind="worker",
            region_code="3273",
            registered_at=datetime.now(UTC),
            registered_by="bench",
            full_name="Bench Client",
            sex="F",
            birth_date=date(1990, 1, 1),
            disability=False,
            preferred_language="id",
            contact=contracts.Contact(phone=f"+62812{10_000_000 + i}"),
        )
        consent = contracts.ConsentGranted(
            consent_id=uuid.uuid4(),
            client_id=client_id,
            region_code="3273",
            purpose="notifications",
            partner_code=None,
            scope=[],
            channels=["sms"],
            text_version="bench",
            granted_at=datetime.now(UTC),
            granted_by="bench",
        )
        for data in (registered, consent):
            envelope = Envelope(
                type=data.TYPE,
                source=contracts.SOURCE,
                subject=f"client/{client_id}",
                key=str(client_id),
                data=data.to_data(),
            )
            out.append(envelope.to_kafka())
    return out


def _fill(topic: str, count: int) -> None:
    from kafka import KafkaProducer
    from kafka.admin import KafkaAdminClient, NewTopic

    admin = KafkaAdminClient(bootstrap_servers=KAFKA, **ADMIN.kafka_python())
    admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
    admin.close()
    producer = KafkaProducer(
        bootstrap_servers=KAFKA, **ADMIN.kafka_python(), acks="all", linger_ms=5
    )
    for key, value, headers in _events(count):
        producer.send(topic, key=key, value=value, headers=headers)
    producer.flush()
    producer.close()


def _drop(topic: str) -> None:
    from kafka.admin import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=KAFKA, **ADMIN.kafka_python())
    admin.delete_topics([topic])
    admin.close()


async def _raw_consume(topic: str, count: int) -> float:
    """Events per second a bare aiokafka consumer reads (and decodes as CloudEvents)."""
    from aiokafka import AIOKafkaConsumer

    from shared.messaging.envelope import Envelope

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=KAFKA,
        **ADMIN.kafka_python(),
        group_id=None,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    seen = 0
    started = time.perf_counter()
    try:
        while seen < count:
            batches = await consumer.getmany(timeout_ms=1000, max_records=1000)
            for records in batches.values():
                for r in records:
                    Envelope.from_kafka(r.key, r.value, list(r.headers))
                seen += len(records)
    finally:
        await consumer.stop()
    return count / (time.perf_counter() - started)


def _serve(consumer: str, topic: str, group: str) -> None:
    """The consumer under test, its real reactions on the bench topic."""
    from shared.contracts import client as contracts
    from shared.messaging.consumer import IdempotentConsumer
    from shared.messaging.worker import create_worker_app, run_app, subscribe

    app = create_worker_app(group, KAFKA, group, ADMIN)
    if consumer == "notify":
        from notify import bootstrap
        from notify.settings import NotifySettings

        settings = NotifySettings(
            database_url=URLS[consumer], consumer_group=group, worker_instance_id=group
        )
        subscribe(app, topic, bootstrap.build(settings).consumer(contracts.TOPIC))
    else:
        from client import bootstrap as client_bootstrap
        from client.adapters import orm
        from client.service_layer.reactions import consumed
        from client.settings import ClientSettings

        container = client_bootstrap.build(ClientSettings(database_url=URLS[consumer]))
        reactions = consumed()[contracts.TOPIC]
        subscribe(app, topic, IdempotentConsumer(group, container.sessions, orm.inbox, reactions))
    run_app(app, f"{consumer}-bench", "WARNING", None)


def _serve_raw(topic: str, group: str, count: int, out: str) -> None:
    """The reference in faust itself: the worker's app settings and batching, each record
    decoded as a CloudEvent and acknowledged, nothing else. Writes its rate to `out`."""
    from typing import Any

    from shared.messaging.envelope import Envelope
    from shared.messaging.worker import BATCH_MAX, BATCH_WITHIN_S, create_worker_app, run_app

    app = create_worker_app(group, KAFKA, group, ADMIN)
    source = app.topic(topic, key_serializer="raw", value_serializer="raw")
    seen, started = 0, 0.0

    async def agent(stream: Any) -> Any:
        nonlocal seen, started
        async for events in stream.noack_take(BATCH_MAX, within=BATCH_WITHIN_S):
            now = time.perf_counter()
            started = started or now
            for event in events:
                m = event.message
                Envelope.from_kafka(m.key, m.value, list(m.headers or []))
                await stream.ack(event)
            if seen + len(events) >= count:
                # Measured as the worker is: the events before the last batch, over the time
                # from the first batch's start to the last one's.
                rate = seen / (now - started)
                await asyncio.to_thread(Path(out).write_text, json.dumps(rate))
            seen += len(events)
            yield None

    app.agent(source, name=f"{group}.raw")(agent)
    run_app(app, "notify-bench-raw", "WARNING", None)


def _faust_raw_rate(topic: str, count: int) -> float:
    out = Path(f"/tmp/{topic}.raw")  # noqa: S108  (a scratch file of this run)
    out.unlink(missing_ok=True)
    group = f"notify-bench-raw-{uuid.uuid4().hex[:8]}"
    reader = subprocess.Popen(  # noqa: S603  (this file, our own arguments)
        [sys.executable, __file__, "--serve-raw", topic, group, str(count), str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        while not out.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(0.1)
        return float(out.read_text())
    finally:
        reader.terminate()
        reader.wait(30)
        out.unlink(missing_ok=True)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _empty_database(consumer: str) -> None:
    """The consumer's own bench database, migrated and emptied of what it writes, so every
    round starts alike."""
    from sqlalchemy import create_engine, text

    from shared.db import upgrade

    if consumer == "notify":
        from notify.adapters import orm as notify_orm

        migrations, tables = "notify.migrations", list(notify_orm.metadata.tables)
    else:
        migrations, tables = "client.migrations", ["timeline_entries", "inbox"]
    upgrade(migrations, URLS[consumer])
    engine = create_engine(URLS[consumer])
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(tables)}"))
    engine.dispose()


def _worker_rate(consumer: str, topic: str, count: int, profile: str | None) -> dict[str, float]:
    from sqlalchemy import create_engine, text

    _empty_database(consumer)
    group = f"{consumer}-bench-{uuid.uuid4().hex[:8]}"
    profiler = ["-m", "cProfile", "-o", profile] if profile else []
    worker = subprocess.Popen(  # noqa: S603  (this file, our own arguments)
        [sys.executable, *profiler, __file__, "--serve", consumer, topic, group],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    engine = create_engine(URLS[consumer])
    # A batch's inbox rows share its transaction's start time (`now()`).
    query = text(
        "SELECT count(*), min(processed_at), max(processed_at),"
        " count(*) FILTER (WHERE processed_at = (SELECT max(processed_at) FROM inbox"
        " WHERE consumer = :c)) FROM inbox WHERE consumer = :c"
    )
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                done, first, last, last_batch = conn.execute(query, {"c": group}).one()
            if done >= count:
                break
            time.sleep(0.5)
        cpu = _cpu_seconds(worker.pid)
    finally:
        worker.terminate()
        worker.wait(30)
        engine.dispose()
    # The events before the last batch, over the time from the first batch's start to the
    # last one's (the last batch's own duration is not in the inbox).
    seconds = (last - first).total_seconds()
    return {
        "events": done,
        "seconds": round(seconds, 2),
        "events_per_s": round((done - last_batch) / seconds, 1),
        "cpu_ms_per_event": round(cpu * 1000 / done, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--consumer", choices=sorted(URLS), default="notify")
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--serve", nargs=3, metavar=("CONSUMER", "TOPIC", "GROUP"))
    parser.add_argument("--serve-raw", nargs=4, metavar=("TOPIC", "GROUP", "COUNT", "OUT"))
    parser.add_argument("--profile", metavar="FILE", help="write the consumer's cProfile stats")
    args = parser.parse_args()
    if args.serve:
        _serve(*args.serve)
        return
    if args.serve_raw:
        topic, group, count, out = args.serve_raw
        _serve_raw(topic, group, int(count), out)
        return
    count = args.events - args.events % 2
    topic = f"bench.{args.consumer}.{uuid.uuid4().hex[:8]}"
    _fill(topic, count)
    rounds: list[tuple[float, dict[str, float]]] = []
    try:
        raw = asyncio.run(_raw_consume(topic, count))
        for i in range(args.rounds):
            faust_raw = _faust_raw_rate(topic, count)
            profile = args.profile if i == 0 else None
            rounds.append((faust_raw, _worker_rate(args.consumer, topic, count, profile)))
    finally:
        _drop(topic)
    faust_rates = [r for r, _ in rounds]
    workers = [w for _, w in rounds]
    ratios = [w["events_per_s"] / r for r, w in rounds]
    common.emit(
        "consumer",
        consumer=args.consumer,
        events=count,
        events_per_s=round(statistics.median(w["events_per_s"] for w in workers), 1),
        cpu_ms_per_event=statistics.median(w["cpu_ms_per_event"] for w in workers),
        raw_consume_events_per_s=round(statistics.median(faust_rates)),
        library="faust-streaming",  # the library the consumers are built on
        ratio=round(statistics.median(ratios), 3),
        rounds=[round(r, 3) for r in ratios],
        raw_aiokafka_events_per_s=round(raw),
        ratio_to_aiokafka=round(statistics.median(w["events_per_s"] for w in workers) / raw, 3),
    )


if __name__ == "__main__":
    main()
