"""The notify worker killed mid-batch and restarted produces every effect exactly once."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from shared.contracts import client as client_contracts
from shared.db import sync_engine
from shared.messaging.envelope import Envelope
from support import stack

pytestmark = pytest.mark.integration

EVENTS = 400


def _consented(client_id: uuid.UUID) -> Envelope:
    """A notifications consent: notify plans a welcome, one record per channel (3 effects)."""
    data = client_contracts.ConsentGranted.model_validate(
        {
            **client_contracts.ConsentGranted.EXAMPLE,
            "consent_id": str(uuid.uuid4()),
            "client_id": str(client_id),
            "purpose": "notifications",
            "partner_code": None,
            "scope": [],
            "channels": ["sms"],
            "granted_at": datetime.now(UTC).isoformat(),
        }
    )
    return Envelope(
        type=data.TYPE,
        source=client_contracts.SOURCE,
        subject=f"client/{client_id}",
        key=str(client_id),
        data=data.to_data(),
    )


def _effects(event_ids: list[str]) -> dict[str, int]:
    engine = sync_engine(stack.database_url("notify"))
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT CAST(event_id AS text), count(*) FROM notifications"
                " WHERE CAST(event_id AS text) = ANY(:ids) GROUP BY event_id"
            ),
            {"ids": event_ids},
        ).all()
    engine.dispose()
    return {event_id: count for event_id, count in rows}


def test_a_worker_killed_mid_batch_neither_loses_nor_duplicates() -> None:
    from kafka import KafkaProducer

    envelopes = [_consented(uuid.uuid4()) for _ in range(EVENTS)]
    event_ids = [str(e.id) for e in envelopes]
    producer = KafkaProducer(
        bootstrap_servers=stack.KAFKA, **stack.AS_ADMIN, acks="all", enable_idempotence=True
    )
    for envelope in envelopes:
        key, value, headers = envelope.to_kafka()
        producer.send(client_contracts.TOPIC, key=key, value=value, headers=headers)
    producer.flush()
    producer.close()

    # Kill it once some, but not all, of the batch is done.
    done = stack.eventually(lambda: len(_effects(event_ids)) or None, timeout_s=60, every_s=0.05)
    stack.kill_hard("notify-worker")
    at_kill = len(_effects(event_ids))
    assert done <= at_kill < EVENTS, "the kill should land mid-batch"
    time.sleep(1)
    stack.run_infra("services.sh", "start")

    def all_handled() -> dict[str, int] | None:
        effects = _effects(event_ids)
        return effects if len(effects) == EVENTS else None

    effects = stack.eventually(all_handled, timeout_s=180)
    assert sorted(effects) == sorted(event_ids)
    assert set(effects.values()) == {3}  # one record per channel, never twice
