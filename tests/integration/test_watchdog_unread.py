"""The watchdog's count of unread records, against the real broker: a group that never read
a topic has all of it unread; after committing the end, none."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from kafka import KafkaConsumer
from kafka.structs import OffsetAndMetadata

from shared.messaging.watchdog import backlog, leave_group, unread
from support import stack

pytestmark = pytest.mark.integration


def test_unread_counts_what_the_group_has_not_committed() -> None:
    group = f"watchdog-test-{uuid.uuid4()}"
    ends = stack.topic_end_offsets("client.events")
    assert sum(ends.values()) > 0
    assert unread(stack.KAFKA, group, ["client.events"], stack.ADMIN) == sum(ends.values())
    # a group without members owns nothing: all it has not read is nobody's
    found = backlog(stack.KAFKA, group, ["client.events"], stack.ADMIN)
    assert found.unowned == found.unread > 0
    consumer = KafkaConsumer(
        bootstrap_servers=stack.KAFKA, **stack.AS_ADMIN, group_id=group, enable_auto_commit=False
    )
    try:
        consumer.commit({tp: OffsetAndMetadata(end, "", -1) for tp, end in ends.items()})
    finally:
        consumer.close()
    latest = stack.topic_end_offsets("client.events")
    behind = sum(latest[tp] - ends[tp] for tp in ends)
    assert unread(stack.KAFKA, group, ["client.events"], stack.ADMIN) == behind


async def test_a_stalled_worker_leaves_so_that_its_group_assigns_afresh() -> None:
    """A static member removed by `leave_group` is out of the group: whoever joins with its
    instance id next is a new member (a new member id), so the group rebalances instead of
    handing back the old assignment."""
    from aiokafka import AIOKafkaConsumer
    from kafka import KafkaAdminClient

    group, instance = f"leave-test-{uuid.uuid4()}", f"worker-{uuid.uuid4().hex[:6]}"
    admin = KafkaAdminClient(bootstrap_servers=[stack.KAFKA], **stack.AS_ADMIN)

    def members() -> dict[str, str]:
        described = admin.describe_groups([group])[group]
        return {m["group_instance_id"]: m["member_id"] for m in described["members"]}

    consumer = AIOKafkaConsumer(
        "client.events",
        bootstrap_servers=stack.KAFKA,
        **stack.AS_ADMIN,
        group_id=group,
        group_instance_id=instance,
        auto_offset_reset="earliest",
        enable_auto_commit=False,  # reads, commits nothing: everything stays unread
        session_timeout_ms=10_000,
        heartbeat_interval_ms=1_000,
    )
    await consumer.start()
    try:
        await consumer.getmany(timeout_ms=5_000)  # joined, assigned
        assert consumer.assignment()
        before = await asyncio.to_thread(members)
        assert instance in before
        # a member holds every partition: nothing unread is unowned, though much is unread
        found = await asyncio.to_thread(backlog, stack.KAFKA, group, ["client.events"], stack.ADMIN)
        assert found.unread > 0 and found.unowned == 0
        await asyncio.to_thread(leave_group, stack.KAFKA, group, instance, stack.ADMIN)
        assert instance not in await asyncio.to_thread(members)
    finally:
        await consumer.stop()
        admin.close()
