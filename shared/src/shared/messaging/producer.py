"""What the relay sends with: any producer with kafka-python's `send` and `flush`, and the
idempotent, acks=all producer the services use."""

from __future__ import annotations

from typing import Any, Protocol

from shared.kafka_security import KafkaSecurity


class Producer(Protocol):
    def send(
        self, topic: str, *, key: bytes, value: bytes, headers: list[tuple[str, bytes]]
    ) -> Any: ...

    def flush(self, timeout: float | None = None) -> None: ...


def kafka_producer(
    bootstrap_servers: str, client_id: str, security: KafkaSecurity | None = None
) -> Any:
    """An idempotent producer that waits for every in-sync replica (acks=all)."""
    from kafka import KafkaProducer

    return KafkaProducer(
        bootstrap_servers=bootstrap_servers.split(","),
        client_id=client_id,
        **(security or KafkaSecurity()).kafka_python(),
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        max_in_flight_requests_per_connection=5,
        request_timeout_ms=15_000,
        max_block_ms=10_000,
        retries=2**31 - 1,
        delivery_timeout_ms=60_000,
    )
