"""What the on-call engineer watches is measured: consumer outcomes and the outbox backlog,
recorded through OpenTelemetry (exported over OTLP when an endpoint is configured)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from opentelemetry import metrics
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from sqlalchemy import text

from notify import bootstrap
from notify.settings import NotifySettings
from shared import db
from shared.contracts import client as client_contracts
from shared.db import upgrade
from shared.messaging.consumer import Outcome
from shared.messaging.envelope import Envelope
from shared.messaging.relay import OutboxRelay
from support import stack

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def reader() -> InMemoryMetricReader:
    reader = InMemoryMetricReader()
    metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
    return reader


def _points(reader: InMemoryMetricReader, name: str) -> list[Any]:
    data = reader.get_metrics_data()
    assert data is not None
    return [
        point
        for resource in data.resource_metrics
        for scope in resource.scope_metrics
        for metric in scope.metrics
        if metric.name == name
        for point in metric.data.data_points
    ]


async def test_consumer_outcomes_are_counted(reader: InMemoryMetricReader) -> None:
    url = stack.database_url("notify", test=True)
    upgrade("notify.migrations", url)
    group = f"metrics-{uuid.uuid4().hex[:8]}"
    container = bootstrap.build(NotifySettings(database_url=url, consumer_group=group))
    data = client_contracts.ClientRegistered.model_validate(
        client_contracts.ClientRegistered.EXAMPLE
        | {"client_id": str(uuid.uuid4()), "registered_at": datetime.now(UTC).isoformat()}
    )
    envelope = Envelope(
        type=data.TYPE,
        source=client_contracts.SOURCE,
        subject="client/x",
        key=str(data.client_id),
        data=data.to_data(),
    )

    async def dead_letter(_: Envelope, __: str) -> None:
        raise AssertionError("nothing here should be dead-lettered")

    consumer = container.consumer(client_contracts.TOPIC)
    try:
        assert await consumer.handle_with_retries(envelope, dead_letter) is Outcome.APPLIED
        assert await consumer.handle_with_retries(envelope, dead_letter) is Outcome.DUPLICATE
    finally:
        await container.engine.dispose()
    counted = {
        p.attributes["outcome"]: p.value
        for p in _points(reader, "jembatan.consumer.events")
        if p.attributes["consumer"] == group
    }
    assert counted == {"applied": 1, "duplicate": 1}


def test_the_outbox_backlog_is_observed(reader: InMemoryMetricReader) -> None:
    url = stack.database_url("notify", test=True)
    upgrade("notify.migrations", url)
    engine = db.sync_engine(url)

    def no_kafka() -> Any:
        raise AssertionError("observing the backlog publishes nothing")

    relay = OutboxRelay(engine, no_kafka, service="metrics-test", topics=no_kafka)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO outbox (event_id, topic, msg_key, event_type, source, subject,"
                    " payload) VALUES (:id, 'notify.events', 'k', 't', 's', 'x', '{}')"
                ),
                {"id": uuid.uuid4()},
            )
            pending = conn.execute(
                text("SELECT count(*) FROM outbox WHERE published_at IS NULL")
            ).scalar_one()
        [observation] = relay.observe_backlog(None)  # type: ignore[arg-type]
        assert observation.value == pending >= 1
        assert observation.attributes == {"service": "metrics-test"}
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM outbox WHERE published_at IS NULL AND source = 's'"))
        engine.dispose()
