"""One trace links the API request, the database write, the relay's publish and the consumer.

Runs the client API, the relay and notify's consumer in this process, against real
PostgreSQL (the services' test databases), Kafka and Keycloak, with spans kept in memory.
"""

from __future__ import annotations

import dataclasses

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from client.entrypoints.app import create as create_client_app
from client.settings import ClientSettings
from notify import bootstrap as notify_bootstrap
from notify.settings import NotifySettings
from shared import db
from shared.db import upgrade
from shared.messaging.consumer import Outcome
from shared.messaging.destinations import kafka_topics
from shared.messaging.envelope import Envelope
from shared.messaging.producer import kafka_producer
from shared.messaging.relay import OutboxRelay
from shared.sealing import DataKeys
from shared.service_token import ServiceToken
from shared.settings import service_account
from shared.telemetry import configure_telemetry
from support import stack
from support.people import new_worker

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def spans() -> InMemorySpanExporter:
    exporter = InMemorySpanExporter()
    configure_telemetry("trace-test", exporter=exporter)
    return exporter


@pytest.fixture
def client_db() -> str:
    url = stack.database_url("client", test=True)
    upgrade("client.migrations", url)
    return url


@pytest.fixture
def notify_db() -> str:
    url = stack.database_url("notify", test=True)
    upgrade("notify.migrations", url)
    return url


async def test_one_trace_from_request_to_consumer(
    spans: InMemorySpanExporter, client_db: str, notify_db: str, tokens: dict[str, str]
) -> None:
    app = create_client_app(ClientSettings(database_url=client_db), configure_process=False)
    since = stack.topic_end_offsets("client.events")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://client"
    ) as http:
        response = await http.post(
            "/api/clients",
            json=new_worker(),
            headers={"Authorization": f"Bearer {tokens['siti']}"},
        )
    assert response.status_code == 201, response.text
    client_id = response.json()["id"]

    relay_engine = db.sync_engine(client_db)
    relay = OutboxRelay(
        relay_engine,
        lambda: kafka_producer(stack.KAFKA, "trace-test", stack.ADMIN),
        service="trace-test",
        topics=kafka_topics(stack.KAFKA, "trace-test", stack.ADMIN),
    )
    assert relay.relay_batch() == 1
    relay_engine.dispose()

    with stack.reading("client.events", since) as consumer:
        records = stack.drain_until(
            consumer, lambda rs: any(r.key == client_id.encode() for r in rs)
        )
    record = next(r for r in records if r.key == client_id.encode())
    envelope = Envelope.from_kafka(record.key, record.value, record.headers)
    # notify opens the sealed contact with the key of the client service in this process.
    settings = NotifySettings(database_url=notify_db)
    keys_http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
    token = ServiceToken(*service_account(settings), httpx.AsyncClient(timeout=15))
    notify = dataclasses.replace(
        notify_bootstrap.build(settings), keys=DataKeys("http://client", token, keys_http)
    )
    assert await notify.consumer("client.events").handle(envelope) is Outcome.APPLIED
    await notify.engine.dispose()
    await keys_http.aclose()
    await app.state.container.engine.dispose()

    finished = spans.get_finished_spans()
    server = next(s for s in finished if s.kind is SpanKind.SERVER and "/api/clients" in s.name)
    trace_id = server.context.trace_id
    in_trace = [s for s in finished if s.context.trace_id == trace_id]
    statements = [str(s.attributes.get("db.statement", "")) for s in in_trace]
    assert any(st.startswith("INSERT INTO clients") for st in statements)
    assert any(st.startswith("INSERT INTO outbox") for st in statements)
    assert any(s.name == "client.events publish" and s.kind is SpanKind.PRODUCER for s in in_trace)
    consumer_span = next(s for s in in_trace if s.kind is SpanKind.CONSUMER)
    assert consumer_span.name == "jembatan.client.registered.v2 process"
    assert any(st.startswith("INSERT INTO client_facts") for st in statements)
    assert envelope.trace_headers["traceparent"].split("-")[1] == format(trace_id, "032x")
