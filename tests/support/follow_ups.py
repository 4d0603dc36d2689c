"""Helpers of the follow-up tests: a partner's "account opened" as the referral service
publishes it, and the follow-up tasks the client service opens for it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from kafka import KafkaProducer

from shared.contracts import referral as referral_contracts
from shared.messaging.envelope import Envelope
from support import stack


def publish_completed(clients: list[dict[str, Any]], outcome: str = "account_opened") -> None:
    """What the referral service publishes when a partner reports each client's outcome."""
    producer = KafkaProducer(
        bootstrap_servers=stack.KAFKA, **stack.AS_ADMIN, acks="all", enable_idempotence=True
    )
    for client in clients:
        data = referral_contracts.ReferralCompleted(
            referral_id=uuid.uuid4(),
            client_id=client["id"],
            region_code=client["region_code"],
            partner_code="bank-nusantara",
            product_code="savings-basic",
            outcome=outcome,  # type: ignore[arg-type]
            completed_at=datetime.now(UTC),
        )
        key, value, headers = Envelope(
            type=data.TYPE,
            source=referral_contracts.SOURCE,
            subject=f"referral/{data.referral_id}",
            key=str(client["id"]),
            data=data.to_data(),
        ).to_kafka()
        producer.send(referral_contracts.TOPIC, key=key, value=value, headers=headers).get(30)
    producer.close()


def follow_up_tasks(
    gateway: httpx.Client, headers: dict[str, str], client_id: str
) -> dict[str, dict[str, Any]]:
    """Once both are there, the client's account follow-ups by kind, each with its case id."""

    def both() -> dict[str, dict[str, Any]] | None:
        cases = gateway.get(f"/api/clients/{client_id}/cases", headers=headers).json()["items"]
        tasks = {t["kind"]: t | {"case_id": c["id"]} for c in cases for t in c["tasks"]}
        return tasks if len(tasks) == 2 else None

    return stack.eventually(both, timeout_s=60)
