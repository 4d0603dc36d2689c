"""Idempotent event handling: the routing table, the inbox claim, retries and dead letters.

Kafka-client agnostic: the faust worker (or a test) decodes records into `Envelope`s and
calls `IdempotentConsumer.handle_all` (or `handle` for one). The inbox rows and the effects
commit in one transaction; the caller commits the Kafka offsets only after it returns.

Events are handled in batches: one transaction claims a whole batch in the inbox and applies
its effects, so a busy partition costs one commit per batch rather than per event. A consumer
whose effects can be written in bulk passes a `BatchReaction`; a plain routing table is
applied one event after another inside the batch's transaction. A batch that fails is
rolled back and its events are handled one at a time, so one bad event is isolated, retried
and dead-lettered alone while the others still take effect.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from opentelemetry import metrics, propagate, trace
from opentelemetry.trace import SpanKind
from opentelemetry.util.types import AttributeValue
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
BatchHandler = Callable[[AsyncSession, Sequence[Envelope]], Awaitable[None]]
DeadLetter = Callable[[Envelope, str], Awaitable[None]]


@dataclass(frozen=True)
class BatchReaction:
    """Effects of several events at once: `handle` gets the new events of `types`, in order."""

    types: frozenset[str]
    handle: BatchHandler


def one_after_another(handlers: Mapping[str, Handler]) -> BatchReaction:
    """A routing table applied event by event, in the batch's transaction."""
    routed = dict(handlers)

    async def handle(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
        for envelope in envelopes:
            await routed[envelope.type](session, envelope)

    return BatchReaction(frozenset(routed), handle)


class Outcome(enum.Enum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"  # an event type this consumer does not react to
    DEAD_LETTERED = "dead_lettered"


class PermanentFailure(Exception):
    """The event can never be handled (bad data); retrying would not help."""


class DependencyUnavailable(Exception):
    """Another service the reaction needs cannot be reached: waited out like the database,
    never dead-lettered (the event is fine; its effect must wait)."""


class IdempotentConsumer:
    def __init__(
        self,
        name: str,
        sessions: async_sessionmaker[AsyncSession],
        inbox_table: Table,
        handlers: Mapping[str, Handler] | BatchReaction,
        *,
        max_attempts: int = 5,
        base_backoff_s: float = 0.2,
    ) -> None:
        self.name = name
        self._sessions = sessions
        self._inbox = inbox_table
        self._reaction = (
            handlers if isinstance(handlers, BatchReaction) else one_after_another(handlers)
        )
        self._max_attempts = max_attempts
        self._base_backoff_s = base_backoff_s

    async def handle(self, envelope: Envelope) -> Outcome:
        """Apply the event's effect exactly once; raises if the effect fails."""
        [outcome] = await self.handle_batch([envelope])
        return outcome

    async def handle_batch(self, envelopes: Sequence[Envelope]) -> list[Outcome]:
        """Apply the batch's effects exactly once, in one transaction; raises if any fails.

        A lone event's span continues its producer's trace; a batch's span links to each.
        """
        attributes: dict[str, AttributeValue] = {
            "messaging.system": "kafka",
            "messaging.consumer.group.name": self.name,
            "messaging.batch.message_count": len(envelopes),
        }
        alone = len(envelopes) == 1
        if alone:
            parent = propagate.extract(dict(envelopes[0].trace_headers))
            attributes["messaging.message.id"] = str(envelopes[0].id)
        with tracer.start_as_current_span(
            f"{envelopes[0].type} process" if alone else "batch process",
            context=parent if alone else None,
            kind=SpanKind.CONSUMER,
            attributes=attributes,
        ) as span:
            if not alone and span.is_recording():  # links cost; only a recorded span keeps them
                for e in envelopes:
                    producer = propagate.extract(dict(e.trace_headers))
                    span.add_link(trace.get_current_span(producer).get_span_context())
            outcomes = [
                Outcome.APPLIED if e.type in self._reaction.types else Outcome.IGNORED
                for e in envelopes
            ]
            wanted = [i for i, o in enumerate(outcomes) if o is Outcome.APPLIED]
            if not wanted:
                return outcomes
            async with self._sessions.begin() as session:
                claimed = await inbox.claim_all(
                    session,
                    self._inbox,
                    self.name,
                    [(envelopes[i].id, envelopes[i].type) for i in wanted],
                )
                fresh = []
                for i in wanted:
                    if envelopes[i].id in claimed:
                        claimed.discard(envelopes[i].id)  # a second copy in the batch repeats
                        fresh.append(envelopes[i])
                    else:
                        outcomes[i] = Outcome.DUPLICATE
                if fresh:
                    await self._reaction.handle(session, fresh)
            repeated = outcomes.count(Outcome.DUPLICATE)
            if repeated:  # a redelivery the inbox absorbed (operators and the chaos suite count)
                log.info(
                    "events already handled; skipped",
                    extra={"consumer": self.name, "events": repeated},
                )
            return outcomes

    async def _wait_out_outage(self, exc: Exception, wait_s: float) -> float:
        """Sleep a jittered while; the next, longer wait (capped at 10 s)."""
        log.warning(
            "database or a service unavailable; waiting",
            extra={"consumer": self.name, "error": type(exc).__name__},
        )
        await asyncio.sleep(wait_s * (0.5 + random.random()))
        return min(wait_s * 2, 10.0)

    async def handle_all(
        self, envelopes: Sequence[Envelope], dead_letter: DeadLetter
    ) -> list[Outcome]:
        """Handle a batch in one transaction; if it fails for any reason but an unreachable
        database (which is waited out), handle its events one at a time with retries."""
        if len(envelopes) == 1:
            return [await self.handle_with_retries(envelopes[0], dead_letter)]
        outage_wait_s = self._base_backoff_s
        while True:
            try:
                outcomes = await self.handle_batch(envelopes)
            except (OperationalError, InterfaceError, OSError, DependencyUnavailable) as exc:
                outage_wait_s = await self._wait_out_outage(exc, outage_wait_s)
                continue
            except Exception as exc:
                log.warning(
                    "batch failed; handling its events one at a time",
                    extra={
                        "consumer": self.name,
                        "events": len(envelopes),
                        "error": type(exc).__name__,
                    },
                )
                return [await self.handle_with_retries(e, dead_letter) for e in envelopes]
            for outcome in outcomes:
                _events.add(1, {"consumer": self.name, "outcome": outcome.value})
            return outcomes

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
            except (OperationalError, InterfaceError, OSError, DependencyUnavailable) as exc:
                outage_wait_s = await self._wait_out_outage(exc, outage_wait_s)
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
