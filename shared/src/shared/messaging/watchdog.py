"""A worker that stopped receiving records while its topics hold unread ones exits.

faust-streaming has a known failure (faust-streaming/faust#523, found again here by the chaos
suite): after the broker is killed and comes back, a consumer may rejoin its group and then
never fetch again, silently, while the process looks alive. Nothing recovers that state but
a restart, so a worker watches itself: if it has received no record for `STALL_AFTER_S`,
is handling none, and its group has had unread records on its topics for `STALL_AFTER_S`
more (so a broker that just came back, or a group still rebalancing, has time to hand the
records over), it logs why, leaves its group and exits. Sooner, after `UNOWNED_AFTER_S`, when
unread records sit on partitions that no member of the settled group owns (a group assigned
while the restarted broker knew no topics yet). Whatever runs the worker then starts it
again (Kubernetes' restart policy; the chaos suite's supervisor; locally, the worker itself,
in place). The check runs in a thread of its own, so it works whatever state faust's event
loop is in.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from shared.kafka_security import KafkaSecurity

log = logging.getLogger(__name__)

STALL_AFTER_S = 30.0
UNOWNED_AFTER_S = 15.0  # unread records on partitions no member owns, this long: a stall
STUCK_IN_BATCH_S = 300.0  # longer than any batch takes but waiting out a database outage
CHECK_EVERY_S = 5.0
EXIT_STALLED = 75  # EX_TEMPFAIL: try again


@dataclass
class Liveness:
    """When the worker last took records from Kafka, and how many batches it is handling."""

    clock: Callable[[], float] = time.monotonic
    topics: list[str] = field(default_factory=list)
    last_record: float = 0.0
    busy: int = 0
    busy_since: float = 0.0

    def __post_init__(self) -> None:
        self.last_record = self.clock()

    def took(self) -> None:
        self.last_record = self.clock()
        if not self.busy:
            self.busy_since = self.last_record
        self.busy += 1

    def done(self) -> None:
        self.busy -= 1
        self.last_record = self.clock()
        if self.busy:
            self.busy_since = self.last_record  # another agent's batch is still going

    def busy_for(self) -> float:
        return self.clock() - self.busy_since if self.busy else 0.0

    def idle_for(self) -> float:
        return 0.0 if self.busy else self.clock() - self.last_record


class Backlog(NamedTuple):
    unread: int  # records on the topics past the group's committed offsets
    unowned: int  # of those, the ones on partitions no member of the (stable) group owns


def backlog(
    bootstrap_servers: str,
    group: str,
    topics: Sequence[str],
    security: KafkaSecurity | None = None,
) -> Backlog:
    """What the group has not read of `topics`, and what of it nobody is assigned to read
    (the broker's view: committed offsets, end offsets, the members' assignments)."""
    from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

    servers = bootstrap_servers.split(",")
    options = (security or KafkaSecurity()).kafka_python()
    admin = KafkaAdminClient(bootstrap_servers=servers, **options)
    reader = KafkaConsumer(
        bootstrap_servers=servers, group_id=None, enable_auto_commit=False, **options
    )
    try:
        partitions = [
            TopicPartition(topic, p)
            for topic in topics
            for p in reader.partitions_for_topic(topic) or ()
        ]
        committed = admin.list_group_offsets({group: partitions}).get(group, {})
        ends = reader.end_offsets(partitions)
        behind = {
            tp: max(0, ends[tp] - max(0, committed[tp].offset if tp in committed else 0))
            for tp in partitions
        }
        described = admin.describe_groups([group]).get(group, {})
        if described.get("group_state") not in ("Stable", "Empty", "Dead"):
            owned = set(partitions)  # a rebalance is under way: nobody to blame yet
        else:
            owned = {
                TopicPartition(assigned["topic"], p)
                for member in described.get("members", [])
                for assigned in (member.get("member_assignment") or {}).get(
                    "assigned_partitions", []
                )
                for p in assigned["partitions"]
            }
        return Backlog(
            unread=sum(behind.values()),
            unowned=sum(n for tp, n in behind.items() if tp not in owned),
        )
    finally:
        reader.close()
        admin.close()


def unread(
    bootstrap_servers: str,
    group: str,
    topics: Sequence[str],
    security: KafkaSecurity | None = None,
) -> int:
    """Records on `topics` past the group's committed offsets (the broker's view)."""
    return backlog(bootstrap_servers, group, topics, security).unread


def leave_group(
    bootstrap_servers: str,
    group: str,
    instance_id: str,
    security: KafkaSecurity | None = None,
) -> None:
    """Remove this worker's static member from its group (KIP-345's admin removal).

    A static member that rejoins is handed its old assignment back without a rebalance, even
    an empty one: the chaos suite caught a worker whose group had been assigned while the
    restarted broker knew no topics yet ("Ignoring missing topic"), and every restart with
    the same instance id got nothing again. Removed first, its successor joins as a new
    member, and the group assigns the partitions afresh.
    """
    from kafka import KafkaAdminClient
    from kafka.admin import MemberToRemove

    admin = KafkaAdminClient(
        bootstrap_servers=bootstrap_servers.split(","),
        **(security or KafkaSecurity()).kafka_python(),
    )
    try:
        admin.remove_group_members(
            group, [MemberToRemove(group_instance_id=instance_id, reason="stalled worker")]
        )
    finally:
        admin.close()


class Watchdog(threading.Thread):
    def __init__(
        self,
        liveness: Liveness,
        backlog: Callable[[], Backlog],
        *,
        stall_after_s: float = STALL_AFTER_S,
        unowned_after_s: float = UNOWNED_AFTER_S,
        stuck_in_batch_s: float = STUCK_IN_BATCH_S,
        every_s: float = CHECK_EVERY_S,
        exit: Callable[[int], None] = os._exit,
        sleep: Callable[[float], None] = time.sleep,
        leave: Callable[[], None] = lambda: None,
    ) -> None:
        super().__init__(name="consumer-watchdog", daemon=True)
        self._liveness = liveness
        self._backlog = backlog
        self._stall_after_s = stall_after_s
        self._unowned_after_s = unowned_after_s
        self._stuck_in_batch_s = stuck_in_batch_s
        self._every_s = every_s
        self._exit = exit
        self._sleep = sleep
        self._leave = leave
        self._unread_since: float | None = None  # first seen unread, while idle
        self._unowned_since: float | None = None  # first seen unread and owned by nobody
        self._quiet_until = 0.0  # found with nothing unread: no need to ask again before

    def check(self) -> bool:
        """True when the worker is stalled (and has been told to exit)."""
        busy = self._liveness.busy_for()
        if busy > self._stuck_in_batch_s:
            # A batch that never ends (a waiting database logs every few seconds; this did
            # not end at all): a restart hands its records to a fresh process.
            return self._stop("consumer stuck in one batch; exiting", busy_s=round(busy))
        idle = self._liveness.idle_for()
        now = self._liveness.clock()
        if idle < self._unowned_after_s or now < self._quiet_until:
            self._unread_since = self._unowned_since = None
            return False  # records are flowing, or were all read a moment ago
        try:
            found = self._backlog()
        except Exception:
            self._unread_since = self._unowned_since = None
            self._quiet_until = 0.0  # ask again as soon as the broker answers
            return False  # Kafka is away: nothing to judge, and a restart would not help
        if found.unread <= 0:
            self._unread_since = self._unowned_since = None
            self._quiet_until = now + self._stall_after_s  # asking every 5 s costs CPU
            return False
        if found.unowned > 0:
            # Typically the group was assigned while a restarted broker knew no topics yet.
            if self._unowned_since is None:
                self._unowned_since = now
            if now - self._unowned_since >= self._unowned_after_s:
                return self._stop(
                    "partitions with unread records are assigned to nobody; exiting",
                    unowned=found.unowned,
                )
        else:
            self._unowned_since = None
        if idle < self._stall_after_s:
            return False
        if self._unread_since is None:
            self._unread_since = now
        if now - self._unread_since < self._stall_after_s:
            return False
        return self._stop(
            "consumer stalled: no record received while its topics have unread ones; exiting",
            idle_s=round(idle),
            unread=found.unread,
        )

    def _stop(self, message: str, **extra: int) -> bool:
        log.error(message, extra=extra)
        try:
            self._leave()
        except Exception as exc:  # the restart still helps when the group cannot be told
            log.warning("could not leave the group", extra={"error": type(exc).__name__})
        for handler in logging.getLogger().handlers:
            handler.flush()
        self._exit(EXIT_STALLED)
        return True

    def run(self) -> None:
        while not self.check():
            self._sleep(self._every_s)
