"""Outbox rows the relay publishes per second, against kafka-python's own producer sending the
same messages with the same settings, in the same run.

    python benchmarks/relay.py [--events 20000] [--rounds 3]

Each round fills the outbox of `client_bench` with registrations as the client service writes
them (same payload and headers) addressed to a fresh topic of 3 partitions, runs the client
service's relay process on that database (`python -m client.entrypoints.relay`, acks=all and
idempotence as in production) and times it from the rows' `published_at`; then the reference
sends the very messages the relay would send (same keys, values and headers) through a
producer made by `shared.messaging.producer.kafka_producer`, and times it to the last ack.
Prints one JSON line per figure. Loopback only; the topics are deleted afterwards.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import common  # noqa: E402

URL = common.database_url("client", "client_bench")

FILL = """
INSERT INTO outbox (event_id, topic, msg_key, event_type, source, subject, payload,
                    trace_headers, created_at)
SELECT gen_random_uuid(), :topic, c::text, 'jembatan.client.registered.v1', '/services/client',
       'client/' || c::text,
       jsonb_build_object('client_id', c::text, 'kind', 'worker', 'region_code', '3273',
         'registered_at', now(), 'registered_by', '81d717ea-49b8-465c-afbf-86a14452abb1',
         'full_name', 'Peserta Uji ' || g, 'sex', 'F', 'birth_date', '1964-02-01',
         'disability', false, 'preferred_language', 'id',
         'contact', jsonb_build_object('phone', '+62812' || lpad(g::text, 8, '0'), 'email', null),
         'business', null),
       jsonb_build_object('traceparent',
         '00-' || md5(g::text) || '-' || substr(md5(c::text), 1, 16) || '-01'),
       now()
FROM generate_series(1, :n) AS g, CAST(md5(g::text || :topic) AS uuid) AS c
"""


def _topic(name: str, create: bool) -> None:
    from kafka.admin import KafkaAdminClient, NewTopic

    admin = KafkaAdminClient(bootstrap_servers=common.KAFKA, **common.ADMIN.kafka_python())
    if create:
        admin.create_topics([NewTopic(name, num_partitions=3, replication_factor=1)])
    else:
        admin.delete_topics([name])
    admin.close()


def _fill(topic: str, count: int) -> None:
    from sqlalchemy import create_engine, text

    from shared.db import upgrade

    upgrade("client.migrations", URL)
    engine = create_engine(URL)
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE outbox"))
        conn.execute(text(FILL), {"topic": topic, "n": count})
    engine.dispose()


def relay_rate(topic: str, count: int) -> dict[str, float]:
    """The client service's relay process on the filled outbox, timed by `published_at`."""
    from sqlalchemy import create_engine, text

    _fill(topic, count)
    env = {
        **os.environ,
        "CLIENT_DATABASE_URL": URL,
        "CLIENT_SERVICE_NAME": "client-bench",  # its own advisory lock
        "CLIENT_LOG_LEVEL": "WARNING",
    }
    relay = subprocess.Popen(
        [sys.executable, "-m", "client.entrypoints.relay"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    engine = create_engine(URL)
    # A batch's rows share its transaction's start (`now()`): the rate is the rows before the
    # last batch over the time from the first batch's start to the last one's.
    query = text(
        "SELECT count(published_at), min(published_at), max(published_at),"
        " count(*) FILTER (WHERE published_at = (SELECT max(published_at) FROM outbox))"
        " FROM outbox"
    )
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                done, first, last, last_batch = conn.execute(query).one()
            if done >= count:
                break
            time.sleep(0.5)
        cpu = common.cpu_seconds([relay.pid])
    finally:
        relay.terminate()
        relay.wait(30)
        engine.dispose()
    seconds = (last - first).total_seconds()
    return {
        "events_per_s": round((done - last_batch) / seconds, 1),
        "cpu_ms_per_event": round(cpu * 1000 / done, 3),
    }


def producer_rate(topic: str, count: int) -> float:
    """The same messages, built as the relay builds them, through the relay's producer."""
    from sqlalchemy import create_engine, text

    from shared.messaging.envelope import Envelope
    from shared.messaging.producer import kafka_producer

    # The relay emptied the payloads it published: fill the outbox again, with the same rows.
    _fill(topic, count)
    engine = create_engine(URL)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM outbox ORDER BY id")).mappings().all()
    engine.dispose()
    messages = [
        Envelope(
            type=r["event_type"],
            source=r["source"],
            subject=r["subject"],
            key=r["msg_key"],
            data=r["payload"],
            id=r["event_id"],
            time=r["created_at"],
            trace_headers=r["trace_headers"],
        ).to_kafka()
        for r in rows
    ]
    producer = kafka_producer(common.KAFKA, "bench-raw-producer", common.ADMIN)
    producer.send(topic, key=b"warm-up", value=b"{}").get(timeout=30)
    started = time.perf_counter()
    futures = [producer.send(topic, key=k, value=v, headers=h) for k, v, h in messages]
    for future in futures:
        future.get(timeout=60)
    seconds = time.perf_counter() - started
    producer.close()
    return len(messages) / seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rounds = []
    for _ in range(args.rounds):
        topic = f"bench.relay.{uuid.uuid4().hex[:8]}"
        _topic(topic, create=True)
        try:
            relay = relay_rate(topic, args.events)
            raw = producer_rate(topic, args.events)
        finally:
            _topic(topic, create=False)
        rounds.append((relay, raw))
    ratios = [relay["events_per_s"] / raw for relay, raw in rounds]
    common.emit(
        "relay",
        events=args.events,
        events_per_s=common.median(relay["events_per_s"] for relay, _ in rounds),
        cpu_ms_per_event=common.median(relay["cpu_ms_per_event"] for relay, _ in rounds),
        raw_producer_events_per_s=round(common.median(raw for _, raw in rounds)),
        library="kafka-python",
        ratio=round(common.median(ratios), 3),
        rounds=[round(r, 3) for r in ratios],
    )


if __name__ == "__main__":
    main()
