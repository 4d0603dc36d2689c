"""The outbox relay: publishes committed outbox rows to Kafka, in order, at least once.

One relay is active per service (a transaction-scoped advisory lock); it claims due rows
(shared.messaging.claiming), sends each as a CloudEvent continuing its request's trace, and
marks a row sent only after the broker acknowledged every message of its batch; a crash
between ack and commit republishes the batch, which consumers absorb through their inbox.

When the outbox is empty the relay waits for PostgreSQL's word that rows were committed
(shared.messaging.wakeup), and still looks every `POLL_EVERY_S` (a notification sent while its
connection was being re-made is lost), polling as before while it cannot listen.

A published row keeps only what says that and when it was published: its payload, which may
hold a person's data, is emptied in the transaction that marks it sent, and rows published
more than `KEEP_PUBLISHED` ago are deleted (`purge`, at most every `PURGE_EVERY_S`).

No destination can stop another (shared.messaging.destinations): a row whose topic is missing,
or that the broker refuses for good, waits and is then parked for an operator (`jembatan
outbox parked`, `jembatan outbox retry`), while every other row is published as usual. A fault
of the cluster as a whole (unreachable, timing out) parks nothing: the relay backs off and
retries the same rows.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

from opentelemetry import metrics, propagate, trace
from opentelemetry.metrics import CallbackOptions, Observation
from opentelemetry.trace import SpanKind
from sqlalchemy import Engine, text

from shared import db
from shared.messaging.claiming import (
    BACKLOG,
    CLAIM,
    DEFAULT_RETRIES,
    DEFER,
    DELETE_PUBLISHED,
    EMPTY_PUBLISHED,
    MARK,
    PARKED,
    Retries,
)
from shared.messaging.destinations import (
    Destinations,
    kafka_topics,
    refusal_reason,
    refused_for_good,
)
from shared.messaging.envelope import Envelope
from shared.messaging.producer import Producer, kafka_producer
from shared.messaging.wakeup import Wakeup
from shared.settings import ServiceSettings
from shared.telemetry import configure_logging, configure_telemetry

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)
_meter = metrics.get_meter("jembatan.messaging")
_published = _meter.create_counter(
    "jembatan.outbox.published", unit="{event}", description="outbox rows published to Kafka"
)
_refused = _meter.create_counter(
    "jembatan.outbox.refused",
    unit="{event}",
    description="outbox rows their destination refused (each attempt; parked after several)",
)

POLL_EVERY_S = 1.0  # when nothing was heard
KEEP_PUBLISHED = timedelta(days=1)  # an operator can still see what left, and when
PURGE_EVERY_S = 600.0


def relay_lock_id(service: str) -> int:
    """A stable advisory-lock key per service."""
    return zlib.crc32(f"jembatan-outbox-relay:{service}".encode())


class OutboxRelay:
    """Publishes a service's committed outbox rows, batch by batch, while it holds the
    service's advisory lock. `after_ack`, when given, runs once the broker has acknowledged a
    batch and before the rows are marked sent (run_relay installs a pause there only when the
    development fault setting asks for one)."""

    def __init__(
        self,
        engine: Engine,
        producer_factory: Callable[[], Producer],
        *,
        service: str,
        topics: Callable[[], Iterable[str]],
        batch_size: int = 500,
        ack_timeout_s: float = 30.0,
        after_ack: Callable[[], None] | None = None,
        retries: Retries = DEFAULT_RETRIES,
    ) -> None:
        self._engine = engine
        self._producer_factory = producer_factory
        self._producer: Producer | None = None
        self._destinations = Destinations(topics)
        self._retries = retries
        self._lock_id = relay_lock_id(service)
        self._service = service
        self._batch_size = batch_size
        self._ack_timeout_s = ack_timeout_s
        self._after_ack = after_ack

    def relay_batch(self) -> int:
        """Publish one batch; returns how many rows were marked sent (0: idle or not leader)."""
        with self._engine.begin() as conn:
            leader = conn.execute(
                text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": self._lock_id}
            ).scalar()
            if not leader:
                return 0
            rows = conn.execute(CLAIM, {"n": self._batch_size}).mappings().all()
            if not rows:
                return 0
            if self._producer is None:
                self._producer = self._producer_factory()  # raises while Kafka is away
            try:
                sent, refused = self._publish(self._producer, rows)
            except Exception:
                self._destinations.forget()
                raise
            if self._after_ack is not None:
                self._after_ack()
            if sent:
                conn.execute(MARK, {"ids": sent})
            for reason, ids in refused.items():
                conn.execute(DEFER, self._retries.deferral(reason, ids))
        if sent:
            _published.add(len(sent), {"service": self._service})
        if refused:
            _refused.add(sum(map(len, refused.values())), {"service": self._service})
            log.warning(
                "outbox rows refused by their destination; they wait, then are parked",
                extra={"reasons": sorted(refused), "rows": sum(map(len, refused.values()))},
            )
        return len(sent)

    def _publish(
        self, producer: Producer, rows: Sequence[Any]
    ) -> tuple[list[int], dict[str, list[int]]]:
        """Send what its destination takes; returns the ids the broker acknowledged and, by
        reason, the ids refused. A cluster-wide fault raises, and no row is marked."""
        missing = self._destinations.missing({row["topic"] for row in rows})
        refused: dict[str, list[int]] = {}
        stopped: set[tuple[str, str]] = set()  # topic and key of a row refused in this batch
        pending: list[tuple[int, Any]] = []
        for row in rows:
            key = (row["topic"], row["msg_key"])
            if key in stopped:
                continue  # behind a refused row: it waits with it (left as it is)
            if row["topic"] in missing:
                reason = f"topic {row['topic']} does not exist"
            else:
                try:
                    pending.append((row["id"], self._send(producer, row)))
                    continue
                except Exception as exc:
                    if not refused_for_good(exc):
                        raise
                    reason = refusal_reason(exc)
            refused.setdefault(reason, []).append(row["id"])
            stopped.add(key)
        sent: list[int] = []
        for row_id, future in pending:
            try:
                future.get(timeout=self._ack_timeout_s)  # raises unless the broker acked
            except Exception as exc:
                if not refused_for_good(exc):
                    raise
                refused.setdefault(refusal_reason(exc), []).append(row_id)
                continue
            sent.append(row_id)
        return sent, refused

    def purge(self) -> int:
        """Empty any published payload left behind and delete rows published long ago;
        returns how many rows were deleted."""
        with self._engine.begin() as conn:
            conn.execute(EMPTY_PUBLISHED)
            deleted = conn.execute(DELETE_PUBLISHED, {"keep": KEEP_PUBLISHED})
        return int(deleted.rowcount)

    def backlog(self) -> int:
        """Rows waiting to be published, parked ones aside: grows while Kafka is away, drains
        when it is back."""
        return self._count(BACKLOG)

    def parked(self) -> int:
        """Rows parked until an operator retries them (`jembatan outbox parked`)."""
        return self._count(PARKED)

    def _count(self, query: Any) -> int:
        with self._engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def observe_backlog(self, options: CallbackOptions) -> list[Observation]:
        return self._observe(self.backlog)

    def observe_parked(self, options: CallbackOptions) -> list[Observation]:
        return self._observe(self.parked)

    def _observe(self, count: Callable[[], int]) -> list[Observation]:
        try:
            return [Observation(count(), {"service": self._service})]
        except Exception:
            return []  # the database is away: no reading rather than a wrong one

    def _send(self, producer: Producer, row: Any) -> Any:
        envelope = Envelope(
            type=row["event_type"],
            source=row["source"],
            subject=row["subject"],
            key=row["msg_key"],
            data=row["payload"],
            id=row["event_id"],
            time=row["created_at"],
            extra_headers=row["trace_headers"] or {},  # to_kafka keeps only our x- headers
        )
        parent = propagate.extract(row["trace_headers"] or {})
        with tracer.start_as_current_span(
            f"{row['topic']} publish",
            context=parent,
            kind=SpanKind.PRODUCER,
            attributes={
                "messaging.system": "kafka",
                "messaging.destination.name": row["topic"],
                "messaging.message.id": str(row["event_id"]),
            },
        ):
            carrier: dict[str, str] = {}
            propagate.inject(carrier)
            key, value, headers = replace(envelope, trace_headers=carrier).to_kafka()
            return producer.send(row["topic"], key=key, value=value, headers=headers)

    def run(
        self, stop: threading.Event, idle_wait_s: float = 0.1, max_backoff_s: float = 10.0
    ) -> None:
        """Relay until `stop` is set; failures back off exponentially and retry the same rows.
        Idle, it waits for the outbox's notification (at most `POLL_EVERY_S`), or polls every
        `idle_wait_s` while it cannot listen."""
        wakeup = Wakeup(self._engine)
        try:
            self._run(stop, wakeup, idle_wait_s, max_backoff_s)
        finally:
            wakeup.close()

    def _run(
        self, stop: threading.Event, wakeup: Wakeup, idle_wait_s: float, max_backoff_s: float
    ) -> None:
        backoff = 0.5
        purged_at = -PURGE_EVERY_S
        wakeup.listen()  # before the first look, so that nothing committed after it is missed
        while not stop.is_set():
            try:
                sent = self.relay_batch()
                backoff = 0.5
                if sent == 0 and time.monotonic() - purged_at >= PURGE_EVERY_S:
                    self.purge()
                    purged_at = time.monotonic()
            except Exception as exc:
                log.warning(
                    "outbox relay batch failed; retrying",
                    extra={"error": type(exc).__name__, "retry_in_s": backoff},
                )
                stop.wait(backoff)
                backoff = min(backoff * 2, max_backoff_s)
                continue
            if sent == 0 and wakeup.wait(POLL_EVERY_S) is None:
                stop.wait(idle_wait_s)  # not listening: poll


def _pause(seconds: float) -> Callable[[], None] | None:
    """The development fault setting's pause after an ack (a window for the chaos suite to
    kill the relay in); nothing when it is off, as it always is outside development."""
    if not seconds:
        return None
    return lambda: time.sleep(seconds)


def run_relay(settings: ServiceSettings) -> None:
    """The body of every service's relay process: relay until SIGTERM."""
    name = f"{settings.service_name}-relay"
    configure_logging(name, settings.log_level, settings.log_file)
    configure_telemetry(name, settings.otlp_endpoint, trace_dir=settings.trace_dir)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    servers, security = settings.kafka_bootstrap_servers, settings.kafka_security
    relay = OutboxRelay(
        db.sync_engine(settings.database_url),
        lambda: kafka_producer(servers, name, security),
        service=settings.service_name,
        topics=kafka_topics(servers, name, security),
        after_ack=_pause(settings.fault_relay_hold_after_ack_seconds),
    )
    _meter.create_observable_gauge(
        "jembatan.outbox.backlog",
        callbacks=[relay.observe_backlog],
        unit="{event}",
        description="outbox rows not yet published (parked ones aside)",
    )
    _meter.create_observable_gauge(
        "jembatan.outbox.parked",
        callbacks=[relay.observe_parked],
        unit="{event}",
        description="outbox rows their destination refused, left for an operator",
    )
    relay.run(stop)
