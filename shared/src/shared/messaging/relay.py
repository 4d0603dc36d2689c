"""The outbox relay: publishes committed outbox rows to Kafka, in order, at least once.

One relay is active per service (a transaction-scoped advisory lock); rows are claimed with
`FOR UPDATE SKIP LOCKED` by their published flag, never by "last id seen", because ids are
assigned at insert and a slow transaction can commit a lower id after a higher one. A row is
marked sent only after the broker acknowledged every message of its batch; a crash between
ack and commit republishes the batch, which consumers absorb through their inbox.

When the outbox is empty the relay waits for PostgreSQL's word that rows were committed
(`LISTEN outbox`; a trigger of each service's outbox notifies), so an event leaves within a
few milliseconds of its commit and an idle relay costs nothing. The word is only a hint: the
relay still looks every `POLL_EVERY_S` (a notification sent while its connection was being
re-made is lost), and polls as before while it cannot listen.

A published row keeps only what says that and when it was published: its payload, which may
hold a person's data, is emptied in the transaction that marks it sent, and rows published
more than `KEEP_PUBLISHED` ago are deleted (`purge`, at most every `PURGE_EVERY_S`).

No destination can stop another. Before a batch is sent the relay asks the cluster which of
its topics exist (`Destinations`, at most once a second); a row whose topic is missing, or
that the broker refuses for good (an authorization error, a record too large), is not
published but waits: it is tried again after 1, 2, 4 … seconds (`RETRY_BASE`, at most
`RETRY_CAP`) and, after `PARK_AFTER` attempts, parked with its reason, for an operator to fix
the cause and retry (`jembatan outbox parked`, `jembatan outbox retry`). Rows with the same
topic and key wait behind it, so per-key order holds; every other row is published as usual.
A fault of the cluster as a whole (unreachable, timing out) parks nothing: the relay backs off
and retries the same rows, as before.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
import zlib
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, Protocol

from opentelemetry import metrics, propagate, trace
from opentelemetry.metrics import CallbackOptions, Observation
from opentelemetry.trace import SpanKind
from sqlalchemy import Engine, text

from shared import db
from shared.messaging.envelope import Envelope
from shared.messaging.security import KafkaSecurity
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

# Due rows, oldest first, but none behind a row of the same topic and key that is waiting or
# parked (`ix_outbox_held` answers the NOT EXISTS, and is empty while all goes well).
_CLAIM = text(
    "SELECT id, event_id, topic, msg_key, event_type, source, subject, payload, trace_headers,"
    " created_at FROM outbox o WHERE published_at IS NULL AND parked_at IS NULL"
    " AND (retry_at IS NULL OR retry_at <= now())"
    " AND NOT EXISTS (SELECT 1 FROM outbox held WHERE held.published_at IS NULL"
    " AND held.retry_at IS NOT NULL AND held.topic = o.topic AND held.msg_key = o.msg_key"
    " AND held.id < o.id AND (held.parked_at IS NOT NULL OR held.retry_at > now()))"
    " ORDER BY id LIMIT :n FOR UPDATE OF o SKIP LOCKED"
)
_MARK = text("UPDATE outbox SET published_at = now(), payload = '{}'::jsonb WHERE id = ANY(:ids)")
# `attempts` on the right is the value before this update.
_DEFER = text(
    "UPDATE outbox SET attempts = attempts + 1, last_error = :reason,"
    " retry_at = now() + make_interval(secs => least(:base * 2 ^ attempts, :cap)),"
    " parked_at = CASE WHEN attempts + 1 >= :park_after THEN now() END"
    " WHERE id = ANY(:ids)"
)
# Rows published before payloads were emptied on publishing, or by an older relay.
_EMPTY_PUBLISHED = text(
    "UPDATE outbox SET payload = '{}'::jsonb"
    " WHERE published_at IS NOT NULL AND payload <> '{}'::jsonb"
)
_BACKLOG = text("SELECT count(*) FROM outbox WHERE published_at IS NULL AND parked_at IS NULL")
_PARKED = text("SELECT count(*) FROM outbox WHERE published_at IS NULL AND parked_at IS NOT NULL")
_DELETE_PUBLISHED = text("DELETE FROM outbox WHERE published_at < now() - :keep")
CHANNEL = "outbox"  # shared.migrations.create_outbox_wakeup
POLL_EVERY_S = 1.0  # when nothing was heard
KEEP_PUBLISHED = timedelta(days=1)  # an operator can still see what left, and when
PURGE_EVERY_S = 600.0
RETRY_BASE = timedelta(seconds=1)  # a refused row's first wait; doubled at each attempt
RETRY_CAP = timedelta(minutes=1)
PARK_AFTER = 8  # attempts: about two minutes after the first refusal
TOPICS_FRESH_FOR_S = 1.0  # how long the cluster's list of topics is trusted


class Producer(Protocol):
    def send(
        self, topic: str, *, key: bytes, value: bytes, headers: list[tuple[str, bytes]]
    ) -> Any: ...

    def flush(self, timeout: float | None = None) -> None: ...


@dataclass(frozen=True)
class Retries:
    """How a row its destination refuses is retried, then parked."""

    base: timedelta = RETRY_BASE
    cap: timedelta = RETRY_CAP
    park_after: int = PARK_AFTER


class Destinations:
    """Which topics the cluster has, asked at most every `fresh_for_s`: a topic that is
    missing (never made, or deleted) is known before a row is sent to it, instead of after
    the producer has waited for its metadata. A failure to ask is the cluster's, and raises."""

    def __init__(
        self, list_topics: Callable[[], Iterable[str]], fresh_for_s: float = TOPICS_FRESH_FOR_S
    ) -> None:
        self._list_topics = list_topics
        self._fresh_for_s = fresh_for_s
        self._known: frozenset[str] = frozenset()
        self._asked_at: float | None = None

    def missing(self, topics: Collection[str]) -> set[str]:
        asked_at = self._asked_at
        if asked_at is None or time.monotonic() - asked_at >= self._fresh_for_s:
            self._known = frozenset(self._list_topics())
            self._asked_at = time.monotonic()
        return {topic for topic in topics if topic not in self._known}

    def forget(self) -> None:
        """Ask again before the next batch (after a failure that may mean a topic went)."""
        self._asked_at = None


def refused_for_good(exc: BaseException) -> bool:
    """An error that one destination (a topic, a record) causes and that repeating will not
    cure. Only these park rows: anything else (timeouts, the cluster away, the service's own
    credentials refused) is a fault of the whole cluster, and parks nothing."""
    from kafka import errors

    return isinstance(
        exc,
        errors.TopicAuthorizationFailedError
        | errors.InvalidTopicError
        | errors.MessageSizeTooLargeError
        | errors.RecordListTooLargeError
        | errors.InvalidRecordError
        | errors.CorruptRecordError,
    )


def _reason(exc: BaseException) -> str:
    """The error's class and message: Kafka's messages name topics and sizes, never values."""
    return f"{type(exc).__name__}: {exc}"[:500]


def relay_lock_id(service: str) -> int:
    """A stable advisory-lock key per service."""
    return zlib.crc32(f"jembatan-outbox-relay:{service}".encode())


class OutboxRelay:
    def __init__(
        self,
        engine: Engine,
        producer_factory: Callable[[], Producer],
        *,
        service: str,
        topics: Callable[[], Iterable[str]],
        batch_size: int = 500,
        ack_timeout_s: float = 30.0,
        hold_after_ack_s: float = 0.0,
        retries: Retries = Retries(),
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
        self._hold_after_ack_s = hold_after_ack_s  # fault injection (tests only)

    def relay_batch(self) -> int:
        """Publish one batch; returns how many rows were marked sent (0: idle or not leader)."""
        with self._engine.begin() as conn:
            leader = conn.execute(
                text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": self._lock_id}
            ).scalar()
            if not leader:
                return 0
            rows = conn.execute(_CLAIM, {"n": self._batch_size}).mappings().all()
            if not rows:
                return 0
            if self._producer is None:
                self._producer = self._producer_factory()  # raises while Kafka is away
            try:
                sent, refused = self._publish(self._producer, rows)
            except Exception:
                self._destinations.forget()
                raise
            if self._hold_after_ack_s:
                time.sleep(self._hold_after_ack_s)
            if sent:
                conn.execute(_MARK, {"ids": sent})
            for reason, ids in refused.items():
                conn.execute(_DEFER, self._deferral(reason, ids))
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
                    reason = _reason(exc)
            refused.setdefault(reason, []).append(row["id"])
            stopped.add(key)
        sent: list[int] = []
        for row_id, future in pending:
            try:
                future.get(timeout=self._ack_timeout_s)  # raises unless the broker acked
            except Exception as exc:
                if not refused_for_good(exc):
                    raise
                refused.setdefault(_reason(exc), []).append(row_id)
                continue
            sent.append(row_id)
        return sent, refused

    def _deferral(self, reason: str, ids: list[int]) -> dict[str, Any]:
        retries = self._retries
        return {
            "ids": ids,
            "reason": reason,
            "base": retries.base.total_seconds(),
            "cap": retries.cap.total_seconds(),
            "park_after": retries.park_after,
        }

    def purge(self) -> int:
        """Empty any published payload left behind and delete rows published long ago;
        returns how many rows were deleted."""
        with self._engine.begin() as conn:
            conn.execute(_EMPTY_PUBLISHED)
            deleted = conn.execute(_DELETE_PUBLISHED, {"keep": KEEP_PUBLISHED})
        return int(deleted.rowcount)

    def backlog(self) -> int:
        """Rows waiting to be published, parked ones aside: grows while Kafka is away, drains
        when it is back."""
        return self._count(_BACKLOG)

    def parked(self) -> int:
        """Rows parked until an operator retries them (`jembatan outbox parked`)."""
        return self._count(_PARKED)

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


class Wakeup:
    """The relay's ear on the channel `outbox`: one connection of the engine's pool, kept out
    of it in autocommit, that LISTENs. Any failure (the database restarting) drops it; the
    next `listen` makes a new one."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._raw: Any = None

    def listen(self) -> bool:
        if self._raw is not None:
            return True
        try:
            raw = self._engine.raw_connection()
            connection: Any = raw.driver_connection
            connection.autocommit = True
            connection.execute(f"LISTEN {CHANNEL}")
        except Exception as exc:
            log.warning(
                "cannot listen for outbox rows; polling", extra={"error": type(exc).__name__}
            )
            return False
        self._raw = raw
        return True

    def wait(self, timeout_s: float) -> bool | None:
        """Until a notification arrives (True: at once if one came since the last wait) or
        `timeout_s` passed (False); None when it cannot listen (the caller polls)."""
        if not self.listen():
            return None
        try:
            for _ in self._raw.driver_connection.notifies(timeout=timeout_s, stop_after=1):
                return True
        except Exception as exc:
            log.warning("lost the outbox listener; polling", extra={"error": type(exc).__name__})
            self.close()
            return None
        return False

    def close(self) -> None:
        if self._raw is not None:
            raw, self._raw = self._raw, None
            with contextlib.suppress(Exception):  # already broken: nothing to give back
                raw.invalidate()  # never back into the pool in LISTEN and autocommit


def kafka_producer(
    bootstrap_servers: str, client_id: str, security: KafkaSecurity | None = None
) -> Any:
    """An idempotent producer that waits for every in-sync replica (acks=all)."""
    from kafka import KafkaProducer

    return KafkaProducer(
        bootstrap_servers=bootstrap_servers.split(","),
        client_id=client_id,
        **(security or KafkaSecurity()).kafka_python(),
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        max_in_flight_requests_per_connection=5,
        request_timeout_ms=15_000,
        max_block_ms=10_000,
        retries=2**31 - 1,
        delivery_timeout_ms=60_000,
    )


def kafka_topics(
    bootstrap_servers: str, client_id: str, security: KafkaSecurity | None = None
) -> Callable[[], list[str]]:
    """The cluster's topics (those this client may describe), through one admin client made
    at the first call and made anew after a failure."""
    admin: Any = None

    def list_topics() -> list[str]:
        nonlocal admin
        if admin is None:
            from kafka import KafkaAdminClient

            admin = KafkaAdminClient(
                bootstrap_servers=bootstrap_servers.split(","),
                client_id=client_id,
                request_timeout_ms=10_000,
                **(security or KafkaSecurity()).kafka_python(),
            )
        try:
            return list(admin.list_topics())
        except Exception:
            broken, admin = admin, None
            with contextlib.suppress(Exception):
                broken.close()
            raise

    return list_topics


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
        hold_after_ack_s=settings.fault_relay_hold_after_ack_seconds,
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
