"""Idempotent event handling: the routing table, the inbox claim, retries and dead letters.

Kafka-client agnostic: the faust worker (or a test) decodes a record into an `Envelope` and
calls `IdempotentConsumer.handle`. The inbox row and the effect commit in one transaction;
the caller commits the Kafka offset only after `handle` returns.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import random
from collections.abc import Awaitable, Callable, Mapping

from opentelemetry import metrics, propagate, trace
from opentelemetry.trace import SpanKind
from sqlalchemy import Table
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.messaging import inbox
from shared.messaging.envelope import Envelope

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)
# What operators watch: events by consumer and outcome (applied, duplicate, ignored,
# dead_lettered). Exported over OTLP when the process configured an endpoint.
_events = metrics.get_meter("jembatan.messaging").create_counter(
    "jembatan.consumer.events", unit="{event}", description="events handled, by outcome"
)

Handler = Callable[[AsyncSession, Envelope], Awaitable[None]]
DeadLetter = Callable[[Envelope, str], Awaitable[None]]


class Outcome(enum.Enum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"  # an event type this consumer does not react to
    DEAD_LETTERED = "dead_lettered"


class PermanentFailure(Exception):
    """The event can never be handled (bad data); retrying would not help."""


class IdempotentConsumer:
    def __init__(
        self,
        name: str,
        sessions: async_sessionmaker[AsyncSession],
        inbox_table: Table,
        handlers: Mapping[str, Handler],
        *,
        max_attempts: int = 5,
        base_backoff_s: float = 0.2,
    ) -> None:
        self.name = name
        self._sessions = sessions
        self._inbox = inbox_table
        self._handlers = dict(handlers)
        self._max_attempts = max_attempts
        self._base_backoff_s = base_backoff_s

    async def handle(self, envelope: Envelope) -> Outcome:
        """Apply the event's effect exactly once; raises if the effect fails."""
        handler = self._handlers.get(envelope.type)
        parent = propagate.extract(dict(envelope.trace_headers))
        with tracer.start_as_current_span(
            f"{envelope.type} process",
            context=parent,
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.consumer.group.name": self.name,
                "messaging.message.id": str(envelope.id),
            },
        ):
            if handler is None:
                return Outcome.IGNORED
            async with self._sessions.begin() as session:
                if not await inbox.claim(
                    session, self._inbox, self.name, envelope.id, envelope.type
                ):
                    return Outcome.DUPLICATE
                await handler(session, envelope)
            return Outcome.APPLIED

    async def handle_with_retries(self, envelope: Envelope, dead_letter: DeadLetter) -> Outcome:
        """Retry failures with jittered backoff; dead-letter a failing effect after `max_attempts`.

        An unreachable database is waited out indefinitely (the partition pauses, nothing is
        lost). A handler that keeps failing with the database up has a bug or bad data: the
        event is parked on the dead-letter topic with the reason, and the partition moves on.
        """
        attempt = 0
        outage_wait_s = self._base_backoff_s
        while True:
            try:
                outcome = await self.handle(envelope)
                _events.add(1, {"consumer": self.name, "outcome": outcome.value})
                return outcome
            except PermanentFailure as exc:
                reason = f"permanent: {exc}"
                break
            except (OperationalError, InterfaceError, OSError) as exc:
                log.warning(
                    "database unavailable; waiting",
                    extra={"consumer": self.name, "error": type(exc).__name__},
                )
                await asyncio.sleep(outage_wait_s * (0.5 + random.random()))
                outage_wait_s = min(outage_wait_s * 2, 10.0)
            except Exception as exc:
                attempt += 1
                reason = f"{type(exc).__name__} after {attempt} attempts"
                log.warning(
                    "event handling failed",
                    extra={
                        "consumer": self.name,
                        "event_id": str(envelope.id),
                        "attempt": attempt,
                        "error": type(exc).__name__,
                    },
                )
                if attempt >= self._max_attempts:
                    break
                delay = self._base_backoff_s * 2 ** (attempt - 1)
                await asyncio.sleep(delay * (0.5 + random.random()))
        await dead_letter(envelope, reason)
        _events.add(1, {"consumer": self.name, "outcome": Outcome.DEAD_LETTERED.value})
        log.error(
            "event dead-lettered",
            extra={"consumer": self.name, "event_id": str(envelope.id), "reason": reason},
        )
        return Outcome.DEAD_LETTERED
