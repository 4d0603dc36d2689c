"""Each service speaks to Kafka as its own SCRAM-SHA-512 user, allowed only what it does.

The local broker's SCRAM listener (127.0.0.1:9095, without the TLS a cluster adds) has the
users and ACLs of deploy/k8s (infra/kafka/access.py); a service's settings name its user and,
in development, its password. The relay's producer (kafka-python), a worker's consumer
(faust's credentials, as its aiokafka driver turns them into options) and the watchdog's
offset check all go through that door, and the broker refuses what the user may not do.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaConnectionError, TopicAuthorizationFailedError
from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth
from kafka.errors import TopicAuthorizationFailedError as SyncTopicAuthorizationFailed

from client.settings import ClientSettings
from shared.kafka_security import KafkaSecurity
from shared.messaging.producer import kafka_producer
from shared.messaging.watchdog import unread
from support import stack
from training.settings import TrainingSettings

pytestmark = pytest.mark.integration

TOPIC = "client.events"
PARTNER_TOPIC = "partner.bank-nusantara.referrals"


def _local(settings_class: type[ClientSettings] | type[TrainingSettings]) -> KafkaSecurity:
    """What a process of `make up` gets: its settings' defaults, no environment."""
    settings = settings_class(database_url="postgresql+psycopg://unused@127.0.0.1/unused")
    assert settings.kafka_bootstrap_servers == stack.KAFKA
    return settings.kafka_security


def _aiokafka(security: KafkaSecurity) -> dict[str, Any]:
    return dict(credentials_to_aiokafka_auth(security.faust_credentials()))


async def test_the_relay_publishes_and_a_worker_reads_as_the_service_s_own_user() -> None:
    security = _local(ClientSettings)
    assert (security.protocol, security.mechanism, security.username) == (
        "SASL_PLAINTEXT",
        "SCRAM-SHA-512",
        "client",
    )
    marker = f"scram-{uuid.uuid4()}".encode()
    producer = kafka_producer(stack.KAFKA, "scram-test", security)
    try:
        sent = producer.send(TOPIC, key=b"scram-test", value=marker).get(timeout=30)
    finally:
        producer.close()

    consumer = AIOKafkaConsumer(
        bootstrap_servers=stack.KAFKA, enable_auto_commit=False, **_aiokafka(security)
    )
    partition = TopicPartition(TOPIC, sent.partition)
    await consumer.start()
    try:
        consumer.assign([partition])
        consumer.seek(partition, sent.offset)
        record = await asyncio.wait_for(consumer.getone(), 30)
        assert record.value == marker
    finally:
        await consumer.stop()

    # The watchdog reads its own group's backlog as the service, and hears what the admin hears.
    as_client = await asyncio.to_thread(unread, stack.KAFKA, "client-timeline", [TOPIC], security)
    as_admin = await asyncio.to_thread(unread, stack.KAFKA, "client-timeline", [TOPIC], stack.ADMIN)
    assert abs(as_client - as_admin) <= 5  # the live worker may read a few in between


def test_a_service_may_not_write_another_service_s_topic() -> None:
    producer = kafka_producer(stack.KAFKA, "scram-test", _local(TrainingSettings))
    try:
        with pytest.raises(SyncTopicAuthorizationFailed):
            producer.send(TOPIC, key=b"scram-test", value=b"not training's").get(timeout=30)
    finally:
        producer.close()


@pytest.mark.parametrize("settings_class", [ClientSettings, TrainingSettings])
async def test_no_service_reads_a_partner_s_topic(
    settings_class: type[ClientSettings] | type[TrainingSettings],
) -> None:
    consumer = AIOKafkaConsumer(
        PARTNER_TOPIC,
        bootstrap_servers=stack.KAFKA,
        group_id=None,
        **_aiokafka(_local(settings_class)),
    )
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            await consumer.start()  # its metadata request already names the topic
            await asyncio.wait_for(consumer.getmany(timeout_ms=2000), 30)
    finally:
        await consumer.stop()


async def test_a_wrong_password_is_refused(caplog: pytest.LogCaptureFixture) -> None:
    wrong = KafkaSecurity("SASL_PLAINTEXT", "SCRAM-SHA-512", "client", "not-the-password")
    producer = AIOKafkaProducer(
        bootstrap_servers=stack.KAFKA, request_timeout_ms=10_000, **_aiokafka(wrong)
    )
    try:
        with pytest.raises(KafkaConnectionError):
            await producer.start()
    finally:
        await producer.stop()
    assert "SaslAuthenticationFailed" in caplog.text  # refused for the password, not absent


def test_sasl_needs_its_credentials_and_never_shows_the_password() -> None:
    assert KafkaSecurity().kafka_python() == {"security_protocol": "PLAINTEXT"}
    assert KafkaSecurity().faust_credentials() is None
    scram = KafkaSecurity("SASL_SSL", "SCRAM-SHA-512", "client", "s3cret-pw")
    assert "s3cret-pw" not in repr(scram)  # settings may be logged; the password never
    with pytest.raises(ValueError, match="SASL mechanism"):
        KafkaSecurity(protocol="SASL_SSL", username="client")
