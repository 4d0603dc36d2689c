"""The services authenticate to Kafka with SCRAM-SHA-512 when told to, as in a cluster.

The local broker has a SASL listener (127.0.0.1:9095, SCRAM-SHA-512 without TLS; the
cluster adds TLS, deploy/k8s). A user is created through the admin API, as Strimzi does for
a `KafkaUser`; then the settings a pod gets (`<SERVICE>_KAFKA_SECURITY_PROTOCOL`, ...) drive
the relay's producer, the workers' consumer (faust's credentials, as its aiokafka driver
turns them into options) and the watchdog's offset check. A wrong password is refused.
"""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import Iterator

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaConnectionError
from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth
from kafka import KafkaAdminClient
from kafka.admin import ScramMechanism, UserScramCredentialDeletion, UserScramCredentialUpsertion

from client.settings import ClientSettings
from shared.messaging.relay import kafka_producer
from shared.messaging.security import KafkaSecurity
from shared.messaging.watchdog import unread
from support import stack

pytestmark = pytest.mark.integration

SCRAM_LISTENER = "127.0.0.1:9095"
TOPIC = "client.events"


@pytest.fixture
def user() -> Iterator[tuple[str, str]]:
    """A SCRAM-SHA-512 user of the broker, removed afterwards."""
    name, password = f"svc-{uuid.uuid4().hex[:8]}", secrets.token_urlsafe(24)
    admin = KafkaAdminClient(bootstrap_servers=[stack.KAFKA])
    try:
        failed = admin.alter_user_scram_credentials(
            [UserScramCredentialUpsertion(name, ScramMechanism.SCRAM_SHA_512, password)]
        )
        assert failed == {name: None}
        yield name, password
        admin.alter_user_scram_credentials(
            [UserScramCredentialDeletion(name, ScramMechanism.SCRAM_SHA_512)]
        )
    finally:
        admin.close()


def _settings(monkeypatch: pytest.MonkeyPatch, name: str, password: str) -> KafkaSecurity:
    """A pod's environment (deploy/k8s/base) read by the service's own settings."""
    for key, value in {
        "CLIENT_DATABASE_URL": "postgresql+psycopg://unused@127.0.0.1/unused",
        "CLIENT_KAFKA_BOOTSTRAP_SERVERS": SCRAM_LISTENER,
        "CLIENT_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "CLIENT_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "CLIENT_KAFKA_SASL_USERNAME": name,
        "CLIENT_KAFKA_SASL_PASSWORD": password,
    }.items():
        monkeypatch.setenv(key, value)
    security = ClientSettings().kafka_security  # type: ignore[call-arg]
    assert security.protocol == "SASL_PLAINTEXT" and security.username == name
    return security


async def test_the_relay_publishes_and_a_worker_reads_with_scram(
    user: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    security = _settings(monkeypatch, *user)
    marker = f"scram-{uuid.uuid4()}".encode()
    producer = kafka_producer(SCRAM_LISTENER, "scram-test", security)
    try:
        sent = producer.send(TOPIC, key=b"scram-test", value=marker).get(timeout=30)
    finally:
        producer.close()

    group = f"scram-test-{uuid.uuid4().hex[:8]}"
    consumer = AIOKafkaConsumer(
        bootstrap_servers=SCRAM_LISTENER,
        group_id=group,
        enable_auto_commit=False,
        **credentials_to_aiokafka_auth(security.faust_credentials()),
    )
    partition = TopicPartition(TOPIC, sent.partition)
    await consumer.start()
    try:
        consumer.assign([partition])
        consumer.seek(partition, sent.offset)
        record = await asyncio.wait_for(consumer.getone(), 30)
        assert record.value == marker
        await consumer.commit({partition: sent.offset + 1})
    finally:
        await consumer.stop()

    # The watchdog asks the broker for the group's unread records through the same door, and
    # hears what the plain listener says.
    through_scram = await asyncio.to_thread(unread, SCRAM_LISTENER, group, [TOPIC], security)
    assert through_scram == await asyncio.to_thread(unread, stack.KAFKA, group, [TOPIC])


async def test_a_wrong_password_is_refused(
    user: tuple[str, str], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    name, _ = user
    security = _settings(monkeypatch, name, "not-the-password")
    consumer = AIOKafkaConsumer(
        bootstrap_servers=SCRAM_LISTENER,
        request_timeout_ms=10_000,
        **credentials_to_aiokafka_auth(security.faust_credentials()),
    )
    try:
        with pytest.raises(KafkaConnectionError):
            await consumer.start()
    finally:
        await consumer.stop()
    assert "SaslAuthenticationFailed" in caplog.text  # refused for the password, not absent


def test_plain_text_is_the_local_default_and_sasl_needs_its_credentials() -> None:
    assert KafkaSecurity().kafka_python() == {"security_protocol": "PLAINTEXT"}
    assert KafkaSecurity().faust_credentials() is None
    scram = KafkaSecurity("SASL_SSL", "SCRAM-SHA-512", "client", "s3cret-pw")
    assert "s3cret-pw" not in repr(scram)  # settings may be logged; the password never
    with pytest.raises(ValueError, match="SASL mechanism"):
        KafkaSecurity(protocol="SASL_SSL", username="client")
