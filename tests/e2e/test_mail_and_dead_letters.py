"""The stack's SMTP server stores what it receives; a poisoned record lands on the DLQ."""

from __future__ import annotations

import smtplib
import uuid
from email.message import EmailMessage

import pytest
from kafka import KafkaProducer

from shared.contracts.asyncapi import TOPICS
from shared.messaging.worker import DLQ_CONSUMER_HEADER, DLQ_REASON_HEADER
from support import stack

pytestmark = pytest.mark.integration


def test_the_smtp_server_accepts_and_stores_mail() -> None:
    subject = f"uji {uuid.uuid4()}"
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = (
        "noreply@jembatan.test",
        "x@x.test",
        subject,
    )
    message.set_content("Halo")
    with smtplib.SMTP("127.0.0.1", 1025, timeout=10) as smtp:
        smtp.send_message(message)
    stored = stack.eventually(
        lambda: [p for p in (stack.CACHE / "mail" / "new").glob("*") if subject in p.read_text()]
    )
    assert len(stored) == 1


def test_an_undecodable_record_is_parked_on_the_dead_letter_topic_with_its_reason() -> None:
    key = str(uuid.uuid4()).encode()
    since = stack.topic_end_offsets("client.events.dlq")
    producer = KafkaProducer(bootstrap_servers=stack.KAFKA, **stack.AS_ADMIN, acks="all")
    producer.send("client.events", key=key, value=b"this is not a CloudEvent", headers=[]).get(30)
    producer.close()
    # Every consumer group reading client.events parks it (the groups as docs/asyncapi.yaml says).
    consumers = {group.encode() for group in TOPICS["client.events"]["consumers"]}

    def parked_by(records: list) -> set[bytes]:  # type: ignore[type-arg]
        return {dict(r.headers)[DLQ_CONSUMER_HEADER] for r in records if r.key == key}

    with stack.reading("client.events.dlq", since) as consumer:
        records = stack.drain_until(consumer, lambda rs: parked_by(rs) == consumers)
    for parked in (r for r in records if r.key == key):
        assert dict(parked.headers)[DLQ_REASON_HEADER].startswith(b"undecodable")
        assert parked.value == b"this is not a CloudEvent"
    assert sorted(parked_by(records)) == sorted(consumers)
