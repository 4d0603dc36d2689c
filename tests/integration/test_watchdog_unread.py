"""The watchdog's count of unread records, against the real broker: a group that never read
a topic has all of it unread; after committing the end, none."""

from __future__ import annotations

import uuid

import pytest
from kafka import KafkaConsumer
from kafka.structs import OffsetAndMetadata

from shared.messaging.watchdog import unread
from support import stack

pytestmark = pytest.mark.integration


def test_unread_counts_what_the_group_has_not_committed() -> None:
    group = f"watchdog-test-{uuid.uuid4()}"
    ends = stack.topic_end_offsets("client.events")
    assert sum(ends.values()) > 0
    assert unread(stack.KAFKA, group, ["client.events"]) == sum(ends.values())
    consumer = KafkaConsumer(
        bootstrap_servers=stack.KAFKA, group_id=group, enable_auto_commit=False
    )
    try:
        consumer.commit({tp: OffsetAndMetadata(end, "", -1) for tp, end in ends.items()})
    finally:
        consumer.close()
    latest = stack.topic_end_offsets("client.events")
    behind = sum(latest[tp] - ends[tp] for tp in ends)
    assert unread(stack.KAFKA, group, ["client.events"]) == behind
