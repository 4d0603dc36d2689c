"""A worker that stopped receiving records while its topics hold unread ones exits.

faust-streaming has a known failure (faust-streaming/faust#523, found again here by the chaos
suite): after the broker is killed and comes back, a consumer may rejoin its group and then
never fetch again, silently, while the process looks alive. Nothing recovers that state but
a restart, so a worker watches itself: if it has received no record for `STALL_AFTER_S`,
is handling none, and its group has had unread records on its topics for `STALL_AFTER_S`
more (so a broker that just came back, or a group still rebalancing, has time to hand the
records over), it logs why and exits,
and whatever runs it starts it again (Kubernetes' restart policy; the chaos suite's
supervisor; `make up` locally). The check runs in a thread of its own, so it works whatever
state faust's event loop is in.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from shared.messaging.security import KafkaSecurity

log = logging.getLogger(__name__)

STALL_AFTER_S = 30.0
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

    def vouch(self) -> None:
        """Checked and found fine (nothing unread): the next check is a full period away."""
        self.last_record = self.clock()

    def idle_for(self) -> float:
        return 0.0 if self.busy else self.clock() - self.last_record


def unread(
    bootstrap_servers: str,
    group: str,
    topics: Sequence[str],
    security: KafkaSecurity | None = None,
) -> int:
    """Records on `topics` past the group's committed offsets (the broker's view)."""
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
        return sum(
            max(0, ends[tp] - max(0, committed[tp].offset if tp in committed else 0))
            for tp in partitions
        )
    finally:
        reader.close()
        admin.close()


class Watchdog(threading.Thread):
    def __init__(
        self,
        liveness: Liveness,
        unread: Callable[[], int],
        *,
        stall_after_s: float = STALL_AFTER_S,
        stuck_in_batch_s: float = STUCK_IN_BATCH_S,
        every_s: float = CHECK_EVERY_S,
        exit: Callable[[int], None] = os._exit,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(name="consumer-watchdog", daemon=True)
        self._liveness = liveness
        self._unread = unread
        self._stall_after_s = stall_after_s
        self._stuck_in_batch_s = stuck_in_batch_s
        self._every_s = every_s
        self._exit = exit
        self._sleep = sleep
        self._unread_since: float | None = None  # first seen unread, while idle

    def check(self) -> bool:
        """True when the worker is stalled (and has been told to exit)."""
        busy = self._liveness.busy_for()
        if busy > self._stuck_in_batch_s:
            # A batch that never ends (a waiting database logs every few seconds; this did
            # not end at all): a restart hands its records to a fresh process.
            return self._stop("consumer stuck in one batch; exiting", busy_s=round(busy))
        idle = self._liveness.idle_for()
        if idle < self._stall_after_s:
            self._unread_since = None
            return False
        try:
            waiting = self._unread()
        except Exception:
            self._unread_since = None
            return False  # Kafka is away: nothing to judge, and a restart would not help
        if waiting <= 0:
            self._unread_since = None
            self._liveness.vouch()  # merely quiet; asking the broker every 5 s costs CPU
            return False
        now = self._liveness.clock()
        if self._unread_since is None:
            self._unread_since = now
        if now - self._unread_since < self._stall_after_s:
            return False
        return self._stop(
            "consumer stalled: no record received while its topics have unread ones; exiting",
            idle_s=round(idle),
            unread=waiting,
        )

    def _stop(self, message: str, **extra: int) -> bool:
        log.error(message, extra=extra)
        for handler in logging.getLogger().handlers:
            handler.flush()
        self._exit(EXIT_STALLED)
        return True

    def run(self) -> None:
        while not self.check():
            self._sleep(self._every_s)
