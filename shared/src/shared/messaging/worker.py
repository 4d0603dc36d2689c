"""A faust-streaming worker that feeds Kafka records to an `IdempotentConsumer`.

At-least-once: faust commits a record's offset only after the agent moved past it, and the
agent moves past it only after the effect and its inbox row committed (or it was parked on
the dead-letter topic). No Kafka transactions (exactly_once) are used; see docs/decisions.

The agent takes what has arrived in batches (up to `BATCH_MAX` records, waiting at most
`BATCH_WITHIN_S` for more once one arrived, and not at all while none does), so a busy topic
is handled a batch per transaction while a quiet one adds at most that wait to an event's
latency. The agent acknowledges a batch's records itself, after they took effect (faust's
`take_events` and `noack_take` acknowledge them even when the agent is stopped halfway
through a batch). A watchdog (decision 0013) ends a worker that stopped receiving records.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
import sys
import tempfile
import weakref
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, cast

import faust
from aiokafka.errors import KafkaError
from faust.streams import Stream
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.kafka_security import KafkaSecurity
from shared.messaging.consumer import BatchReaction, Handler, IdempotentConsumer
from shared.messaging.envelope import Envelope, UndecodableMessage
from shared.messaging.watchdog import Liveness, Watchdog, backlog, leave_group
from shared.process import Build, ContainerT, SettingsT, process_name
from shared.telemetry import configure_telemetry, json_log_handler

log = logging.getLogger(__name__)

# While a batch waits for PostgreSQL, faust fills the next one in the background; a bound of
# 500 stopped it halfway through that wait (notify: 5,300 events/s at 500, 6,600 at 1,000,
# 6,000 at 2,000, where the longer transactions cost more than they save).
BATCH_MAX = 1000
BATCH_WITHIN_S = 0.01
DLQ_REASON_HEADER = "x-dlq-reason"
DLQ_CONSUMER_HEADER = "x-dlq-consumer"
# A worker's routing table: per topic, its handlers by event type or one batch reaction.
Reactions = Mapping[str, Mapping[str, Handler] | BatchReaction]
# What each app's agents took from Kafka, for the watchdog run_app starts.
_liveness: weakref.WeakKeyDictionary[faust.App, Liveness] = weakref.WeakKeyDictionary()
_security: weakref.WeakKeyDictionary[faust.App, KafkaSecurity] = weakref.WeakKeyDictionary()


def create_worker_app(
    app_id: str,
    bootstrap_servers: str,
    instance_id: str,
    security: KafkaSecurity | None = None,
) -> faust.App:
    """A faust app tuned for plain consumers: no tables, no web server, no topic creation.

    `instance_id` turns on static group membership (KIP-345): a worker restarted after a crash
    takes its old place at once instead of waiting out the dead member's session. It must be
    unique per running worker (the pod name in Kubernetes).
    """
    security = security or KafkaSecurity()
    app = faust.App(
        app_id,
        broker_credentials=security.faust_credentials(),
        datadir=str(Path(tempfile.gettempdir()) / f"faust-{app_id}-{instance_id}"),
        broker=[f"kafka://{server}" for server in bootstrap_servers.split(",")],
        store="memory://",
        autodiscover=False,
        web_enabled=False,
        topic_allow_declare=False,
        topic_disable_leader=True,
        consumer_auto_offset_reset="earliest",
        broker_session_timeout=10.0,
        broker_heartbeat_interval=1.0,
        broker_rebalance_timeout=10.0,
        # Offsets are committed every second or every 1,000 records, whichever comes first; a
        # crash redelivers at most that much, which the inbox recognises. (Committing every
        # few records cost more than the records' handling: 900 events/s instead of 5,800.)
        broker_commit_every=1000,
        broker_commit_interval=1.0,
        consumer_group_instance_id=instance_id,
        producer_acks=-1,
        stream_wait_empty=False,
    )
    _security[app] = security
    return app


def _header_items(headers: Any) -> list[tuple[str, bytes]]:
    if headers is None:
        return []
    items: Iterable[tuple[str, bytes]] = (
        headers.items() if isinstance(headers, Mapping) else headers
    )
    return [(str(k), bytes(v)) for k, v in items]


def consumer_app(
    group: str,
    bootstrap_servers: str,
    instance_id: str,
    sessions: async_sessionmaker[AsyncSession],
    inbox_table: Table,
    consumed: Reactions,
    security: KafkaSecurity | None = None,
) -> faust.App:
    """A worker whose consumer group handles each topic of its routing table idempotently."""
    app = create_worker_app(group, bootstrap_servers, instance_id, security)
    for topic, handlers in consumed.items():
        subscribe(app, topic, IdempotentConsumer(group, sessions, inbox_table, handlers))
    return app


def subscribe(app: faust.App, topic_name: str, consumer: IdempotentConsumer) -> None:
    """Route every record of `topic_name` through `consumer`; failures go to `<topic>.dlq`."""
    topic = app.topic(topic_name, key_serializer="raw", value_serializer="raw")
    dlq = app.topic(f"{topic_name}.dlq", key_serializer="raw", value_serializer="raw")
    liveness = _liveness.setdefault(app, Liveness())
    liveness.topics.append(topic_name)

    async def park(
        key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes]], reason: str
    ) -> None:
        extra = [
            (DLQ_REASON_HEADER, reason.encode()),
            (DLQ_CONSUMER_HEADER, consumer.name.encode()),
        ]
        wait_s = 0.2
        while True:  # the record is not passed over until the dead-letter topic has it
            try:
                fut = await dlq.send(key=key, value=value, headers=headers + extra)
                await fut  # the broker's ack
                return
            except KafkaError as exc:
                log.warning("dead-letter topic unavailable; retrying", extra={"error": str(exc)})
                await asyncio.sleep(wait_s)
                wait_s = min(wait_s * 2, 10.0)

    async def dead_letter(envelope: Envelope, reason: str) -> None:
        key, value, headers = envelope.to_kafka()
        await park(key, value, headers, reason)

    async def agent(stream: faust.StreamT[Any]) -> AsyncIterator[None]:
        batches = _batches(cast(Stream[Any], stream), BATCH_MAX, BATCH_WITHIN_S)
        async for events in batches:
            liveness.took()
            try:
                envelopes = []
                for event in events:
                    message = event.message
                    headers = _header_items(message.headers)
                    try:
                        envelopes.append(Envelope.from_kafka(message.key, message.value, headers))
                    except UndecodableMessage as exc:
                        await park(message.key, message.value, headers, f"undecodable: {exc}")
                if envelopes:
                    await consumer.handle_all(envelopes, dead_letter)
                for event in events:
                    await stream.ack(event)
            finally:
                liveness.done()
            yield None

    app.agent(topic, name=f"{consumer.name}.{topic_name}")(agent)


async def _batches(stream: Stream[Any], most: int, within: float) -> AsyncIterator[list[Any]]:
    """The stream's events in batches, for the agent to acknowledge after their effects.

    faust's `noack_take` wakes every `within` seconds whether or not anything arrived (ten
    milliseconds here: a hundred wake-ups a second per topic, 4 to 6 % of a core per idle
    worker), and acknowledges a batch itself when the agent is stopped halfway through it.
    This waits without a timer until a record arrives, then gathers for at most `within`
    seconds or `most` records, and leaves acknowledging to the agent. Records arriving while
    the agent works on a batch gather for the next one (at most `most`, then the stream waits).
    It uses what `noack_take` uses of the stream, the passive drain included.
    """
    gathered: list[Any] = []
    arrived, full, taken = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def gather(value: Any) -> Any:
        gathered.append(stream.current_event)
        arrived.set()
        if len(gathered) >= most:
            full.set()
            taken.clear()
            await stream.wait(taken)  # type: ignore[arg-type]
        return value

    stream.enable_acks = False
    stream.add_processor(gather)
    stream._enable_passive(cast(Any, aiter(stream.channel)))
    try:
        while not stream.should_stop:
            await stream.wait_for_stopped(arrived)  # type: ignore[arg-type]
            if not full.is_set():
                await stream.wait_for_stopped(full, timeout=within)  # type: ignore[arg-type]
            if not gathered:
                continue
            batch = list(gathered)
            gathered.clear()
            arrived.clear()
            full.clear()
            taken.set()
            yield batch
    finally:
        stream._processors.remove(gather)


def _log_tasks(app: faust.App) -> None:
    """`kill -USR2 <pid>`: where each of the worker's tasks is waiting, in its log (on call)."""
    for task in asyncio.all_tasks(app.loop):
        frames = task.get_stack(limit=12)
        log.warning(
            "task",
            extra={
                "task": task.get_name(),
                "stack": [
                    f"{f.f_code.co_name} {Path(f.f_code.co_filename).name}:{f.f_lineno}"
                    for f in frames
                ],
            },
        )


def run_app(app: faust.App, service: str, level: str, log_file: str | None) -> None:
    """Run `app` until SIGTERM, logging JSON lines through our redacting handler.

    faust's own CLI would replace the logging configuration and start its web server; this
    keeps both under our control.
    """
    app.conf.loghandlers = [json_log_handler(service, log_file)]
    # With a logging_config, mode applies it instead of `loglevel`: the levels go in it, or
    # the root logger stays at WARNING and no INFO line of ours is ever written.
    quiet_libraries = {"level": max(logging.WARNING, logging.getLevelName(level))}
    worker = faust.Worker(
        app,
        loglevel=level,
        logging_config={
            "version": 1,
            "incremental": True,  # levels only: the handlers stay ours (loghandlers above)
            "root": {"level": level},
            "loggers": {name: quiet_libraries for name in ("kafka", "aiokafka", "faust", "mode")},
        },
        redirect_stdouts=False,
        quiet=True,
    )
    # What exists now (modules, the app, engines) lives as long as the process: keep it out of
    # the cyclic collector's full passes, which otherwise walk it again and again while the
    # batches allocate (a fifth of the notify worker's time; benchmarks/README.md).
    gc.freeze()
    signal.signal(signal.SIGUSR2, lambda *_: _log_tasks(app))
    liveness = _liveness.get(app)
    if liveness is not None:
        servers = ",".join(url.authority for url in app.conf.broker)
        security = _security.get(app, KafkaSecurity())
        instance_id = app.conf.consumer_group_instance_id
        Watchdog(
            liveness,
            lambda: backlog(servers, app.conf.id, liveness.topics, security),
            exit=_restart_in_place if os.environ.get(RESTART_ENV) == "in-place" else os._exit,
            leave=lambda: leave_group(servers, app.conf.id, instance_id, security),
        ).start()
    worker.execute_from_commandline()


# The local stack has no restart policy: its scripts set this, and a stalled worker starts
# itself afresh in the same process (same pid, so `infra/services.sh` still knows it).
RESTART_ENV = "JEMBATAN_WORKER_RESTART"


def _restart_in_place(code: int) -> None:
    log.warning("starting afresh", extra={"exit_code": code})
    for handler in logging.getLogger().handlers:
        handler.flush()
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])  # noqa: S606


def run_worker(
    settings: SettingsT,
    build: Build[SettingsT, ContainerT],
    inbox: Table,
    reactions: Callable[[ContainerT], Reactions],
) -> None:
    """The body of every service's worker process (`<service>-worker`), until SIGTERM.

    The entrypoint declares its inbox table and its routing table (built from the container,
    for the keys and calendars the reactions need); the consumer group is the settings'
    `consumer_group` and static membership takes their `worker_instance_id`. Telemetry is
    configured before the container's engine exists, so its statements are traced.
    """
    name = process_name(settings, "worker")
    configure_telemetry(name, settings.otlp_endpoint, trace_dir=settings.trace_dir)
    container = build(settings)
    app = consumer_app(
        settings.consumer_group,
        settings.kafka_bootstrap_servers,
        settings.worker_instance_id,
        container.sessions,
        inbox,
        reactions(container),
        security=settings.kafka_security,
    )
    run_app(app, name, settings.log_level, settings.log_file)
