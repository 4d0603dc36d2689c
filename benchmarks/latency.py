"""End-to-end latency at a fixed rate, open loop, through the whole platform.

    python benchmarks/latency.py [--rate 100] [--seconds 10]

Two journeys, each request sent when it is due whatever the earlier ones do, latency counted
from that moment (one host clock):
- **intake → timeline**: `POST /api/clients` through the gateway; the entry
  `jembatan.client.registered.v1` appears on the client's timeline after the client relay, Kafka
  and the client worker (its `recorded_at`: the start of the projection's transaction).
- **referral → partner**: `POST /api/referrals` for clients registered and consented
  beforehand; the bank reads `jembatan.partner.referral.offered.v1` from
  `partner.bank-nusantara.referrals` (arrival at a Kafka consumer in this process) after the
  referral relay, Kafka and the partner topic.
Prints one JSON line per journey.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import common  # noqa: E402

PARTNER_TOPIC = "partner.bank-nusantara.referrals"
OFFERED = b"jembatan.partner.referral.offered.v1"


async def _open_loop(rate: int, send: Any, items: list[Any]) -> list[tuple[float, Any]]:
    """`send` each item at `rate` a second; each answer with the wall-clock time it was due."""
    answers: list[tuple[float, Any]] = []

    async def one(due_wall: float, item: Any) -> None:
        answers.append((due_wall, await send(item)))

    started, started_wall = time.perf_counter(), time.time()
    tasks = []
    for i, body in enumerate(items):
        delay = started + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(started_wall + i / rate, body)))
    await asyncio.gather(*tasks)
    return answers


async def intake_to_timeline(rate: int, seconds: int) -> dict[str, Any]:
    import aiohttp
    from sqlalchemy import text

    from shared import db

    people = common.People()
    headers = {"Authorization": f"Bearer {common.officer_token()}"}
    async with aiohttp.ClientSession(
        headers=headers, connector=aiohttp.TCPConnector(limit=512)
    ) as http:

        async def register(body: dict[str, Any]) -> str | None:
            async with http.post(f"{common.BENCH_GATEWAY}/api/clients", json=body) as answer:
                return str((await answer.json())["id"]) if answer.status == 201 else None

        bodies = [next(people) for _ in range(rate * seconds)]
        answers = await _open_loop(rate, register, bodies)
    due = {client_id: at for at, client_id in answers if client_id}
    # every region's rows (the table forces row-level security: decision 0011)
    engine = db.async_engine(common.database_url("client", "client"), pool_size=2)
    query = text(
        "SELECT client_id::text, extract(epoch FROM recorded_at) FROM timeline_entries"
        " WHERE event_type = 'jembatan.client.registered.v1'"
        " AND client_id = ANY(CAST(:ids AS uuid[]))"
    )
    recorded: dict[str, float] = {}
    deadline = time.monotonic() + 60
    while len(recorded) < len(due) and time.monotonic() < deadline:
        async with engine.connect() as conn:
            rows = await conn.execute(query, {"ids": list(due)})
            recorded = {client_id: float(at) for client_id, at in rows}
        await asyncio.sleep(0.5)
    await engine.dispose()
    latencies = [(recorded[c] - due[c]) * 1000 for c in due if c in recorded]
    return {
        "journey": "intake_to_timeline",
        "rate_per_s": rate,
        "requests": len(answers),
        "accepted": len(due),
        "arrived": len(latencies),
        **common.percentiles(latencies),
    }


def _partitions(topic: str) -> set[int]:
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(bootstrap_servers=common.KAFKA, **common.ADMIN.kafka_python())
    try:
        return consumer.partitions_for_topic(topic) or set()
    finally:
        consumer.close()


async def referral_to_partner(rate: int, seconds: int) -> dict[str, Any]:
    import aiohttp
    from aiokafka import AIOKafkaConsumer, TopicPartition

    count = rate * seconds
    headers = {"Authorization": f"Bearer {common.officer_token()}"}
    async with aiohttp.ClientSession(
        headers=headers, connector=aiohttp.TCPConnector(limit=64)
    ) as http:
        base = common.BENCH_GATEWAY
        people = common.People()

        async def prepared_client() -> str:
            async with http.post(f"{base}/api/clients", json=next(people)) as answer:
                client_id = str((await answer.json())["id"])
            consent = {
                "purpose": "referral",
                "partner_code": "bank-nusantara",
                "scope": ["contact"],
                "text_version": "ref-2026-01",
            }
            async with http.post(f"{base}/api/clients/{client_id}/consents", json=consent) as a:
                assert a.status == 201, await a.text()
            return client_id

        clients: list[str] = []
        for start in range(0, count, 16):  # set-up, not timed
            clients += await asyncio.gather(
                *(prepared_client() for _ in range(min(16, count - start)))
            )
        await asyncio.sleep(5)  # the referral service learns clients and consents from events

        consumer = AIOKafkaConsumer(
            bootstrap_servers=common.KAFKA, **common.ADMIN.kafka_python(), enable_auto_commit=False
        )
        await consumer.start()
        partitions = [TopicPartition(PARTNER_TOPIC, p) for p in _partitions(PARTNER_TOPIC)]
        consumer.assign(partitions)
        await consumer.seek_to_end(*partitions)
        arrived: dict[str, float] = {}
        due: dict[str, float] = {}
        all_in = asyncio.Event()

        async def read() -> None:
            while True:
                batches = await consumer.getmany(timeout_ms=100)
                now = time.time()
                for records in batches.values():
                    for r in records:
                        if r.key and dict(r.headers).get("ce_type") == OFFERED:
                            arrived.setdefault(r.key.decode(), now)
                if due and due.keys() <= arrived.keys():
                    all_in.set()

        reader = asyncio.create_task(read())

        async def refer(client_id: str) -> str | None:
            body = {
                "client_id": client_id,
                "partner_code": "bank-nusantara",
                "product_code": "savings-basic",
                "fee_sheet_version": "2026-01",
                "options_shown": ["bank-nusantara", "dompet-rakyat"],
            }
            async with http.post(f"{base}/api/referrals", json=body) as answer:
                return str((await answer.json())["id"]) if answer.status == 201 else None

        answers = await _open_loop(rate, refer, clients)
        due.update({referral_id: at for at, referral_id in answers if referral_id})
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(all_in.wait(), timeout=60)
        reader.cancel()
        await consumer.stop()
    latencies = [(arrived[r] - due[r]) * 1000 for r in due if r in arrived]
    return {
        "journey": "referral_to_partner",
        "rate_per_s": rate,
        "requests": len(answers),
        "accepted": len(due),
        "arrived": len(latencies),
        **common.percentiles(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--journeys", default="intake_to_timeline,referral_to_partner")
    args = parser.parse_args()
    journeys = {j.__name__: j for j in (intake_to_timeline, referral_to_partner)}
    with common.bench_gateway():
        for name in args.journeys.split(","):
            journey = journeys[name]
            common.emit("end_to_end", **asyncio.run(journey(args.rate, args.seconds)))


if __name__ == "__main__":
    main()
