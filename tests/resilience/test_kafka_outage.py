"""With Kafka stopped, intake still answers 201; when Kafka returns, every event is delivered."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text

from shared.db import sync_engine
from support import stack
from support.people import new_worker

pytestmark = pytest.mark.integration


def _pending(client_ids: list[str]) -> int:
    engine = sync_engine(stack.database_url("client"))
    with engine.connect() as conn:
        count = conn.execute(
            text(
                "SELECT count(*) FROM outbox WHERE published_at IS NULL AND msg_key = ANY(:ids)"
                " AND event_type = 'jembatan.client.registered.v2'"
            ),
            {"ids": client_ids},
        ).scalar()
    engine.dispose()
    return int(count or 0)


def _notified(client_ids: list[str]) -> int:
    """How many of the clients notify has learnt of (its effect of a registration)."""
    engine = sync_engine(stack.database_url("notify"))
    with engine.connect() as conn:
        count = conn.execute(
            text("SELECT count(*) FROM client_facts WHERE CAST(client_id AS text) = ANY(:ids)"),
            {"ids": client_ids},
        ).scalar()
    engine.dispose()
    return int(count or 0)


def test_intake_survives_a_kafka_outage_and_delivers_everything_after(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    auth = {"Authorization": f"Bearer {tokens['siti']}"}
    since = stack.topic_end_offsets("client.events")
    stack.run_infra("kafka/run.sh", "stop")
    try:
        created = []
        for _ in range(10):
            response = gateway.post("/api/clients", json=new_worker(), headers=auth)
            assert response.status_code == 201, response.text
            created.append(response.json()["id"])
        assert _pending(created) == len(created)  # held safely in the outbox
    finally:
        stack.run_infra("kafka/run.sh", "start")

    with stack.reading("client.events", since) as consumer:
        records = stack.drain_until(
            consumer,
            lambda rs: {r.key.decode() for r in rs} >= set(created),
            timeout_s=120,
        )
    delivered = [r.key.decode() for r in records if r.key.decode() in created]
    assert sorted(set(delivered)) == sorted(created)
    # The relay marks rows sent just after the acks, so the marks may trail the records.
    assert stack.eventually(lambda: _pending(created) == 0, timeout_s=30)
    # The notify worker rode out the outage too: it learnt of every registration, once each.
    assert stack.eventually(lambda: _notified(created) == len(created), timeout_s=120)
    assert _notified(created) == len(created)
