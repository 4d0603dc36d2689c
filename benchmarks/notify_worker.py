"""Events handled per second by one notify worker process, beside the raw consume rate of the
same Kafka client library on the same topic, in the same run.

    python benchmarks/notify_worker.py [--events 10000]

Fills a fresh topic with client events as the client service writes them (each client: a
registration, then a notifications consent for SMS, which plans the welcome: one scheduled SMS,
two suppressed channels, one outbox row), then
1. reads the whole topic with a bare aiokafka consumer (what faust is built on): the reference;
2. runs one notify worker process (the real faust app and reactions, the dispatcher off) on
   that topic against the notify_test database, and times it from its inbox rows.
Prints one JSON line per figure. Loopback only; the topic is deleted afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KAFKA = "127.0.0.1:9092"
URL = "postgresql+psycopg://notify:notify-dev@127.0.0.1:5432/notify_test"


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

    admin = KafkaAdminClient(bootstrap_servers=KAFKA)
    admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
    admin.close()
    producer = KafkaProducer(bootstrap_servers=KAFKA, acks="all", linger_ms=5)
    for key, value, headers in _events(count):
        producer.send(topic, key=key, value=value, headers=headers)
    producer.flush()
    producer.close()


def _drop(topic: str) -> None:
    from kafka.admin import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=KAFKA)
    admin.delete_topics([topic])
    admin.close()


async def _raw_consume(topic: str, count: int) -> float:
    """Events per second a bare aiokafka consumer reads (and decodes as CloudEvents)."""
    from aiokafka import AIOKafkaConsumer

    from shared.messaging.envelope import Envelope

    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=KAFKA, group_id=None, auto_offset_reset="earliest"
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


def _serve(topic: str, group: str) -> None:
    """The worker under test: notify's real app and reactions on the bench topic."""
    from notify import bootstrap
    from notify.settings import NotifySettings
    from shared.contracts import client as contracts
    from shared.messaging.worker import create_worker_app, run_worker, subscribe

    settings = NotifySettings(database_url=URL, consumer_group=group, worker_instance_id=group)
    container = bootstrap.build(settings)
    app = create_worker_app(group, KAFKA, group)
    subscribe(app, topic, container.consumer(contracts.TOPIC))
    run_worker(app, "notify-bench", "WARNING", None)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _worker_rate(topic: str, count: int) -> dict[str, float]:
    from sqlalchemy import create_engine, text

    from shared.db import upgrade

    upgrade("notify.migrations", URL)
    group = f"notify-bench-{uuid.uuid4().hex[:8]}"
    worker = subprocess.Popen(  # noqa: S603  (this file, our own arguments)
        [sys.executable, __file__, "--serve", topic, group],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    engine = create_engine(URL)
    query = text(
        "SELECT count(*), min(processed_at), max(processed_at) FROM inbox WHERE consumer = :c"
    )
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                done, first, last = conn.execute(query, {"c": group}).one()
            if done >= count:
                break
            time.sleep(0.5)
        cpu = _cpu_seconds(worker.pid)
    finally:
        worker.terminate()
        worker.wait(30)
        engine.dispose()
    seconds = (last - first).total_seconds()
    return {
        "events": done,
        "seconds": round(seconds, 2),
        "events_per_s": round(done / seconds, 1),
        "cpu_ms_per_event": round(cpu * 1000 / done, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--serve", nargs=2, metavar=("TOPIC", "GROUP"))
    args = parser.parse_args()
    if args.serve:
        _serve(*args.serve)
        return
    count = args.events - args.events % 2
    topic = f"bench.notify.{uuid.uuid4().hex[:8]}"
    _fill(topic, count)
    try:
        raw = asyncio.run(_raw_consume(topic, count))
        worker = _worker_rate(topic, count)
    finally:
        _drop(topic)
    print(json.dumps({"figure": "raw_consume", "library": "aiokafka", "events_per_s": round(raw)}))
    print(json.dumps({"figure": "notify_worker", **worker}))
    print(
        json.dumps(
            {"figure": "notify_worker_ratio", "ratio": round(worker["events_per_s"] / raw, 3)}
        )
    )


if __name__ == "__main__":
    main()
