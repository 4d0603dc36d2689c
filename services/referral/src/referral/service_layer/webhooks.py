"""Delivering partner events to callback URLs, at least once (decision 0021).

`deliver` decides for one delivery: try, pause, try again, and after the last attempt (or a
refusal no retry changes) park it as a dead letter. Either way the delivery is *done*, and
only then may its Kafka offset be committed; if parking fails (the database is away) it raises
and the offset stays, so the record comes back.

`Lanes` keeps one queue and one task per partner: a partner whose endpoint is down waits out
its own pauses while every other partner's deliveries go on. Within a partner deliveries go
one at a time in the order they arrived, so an offer reaches it before its withdrawal.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from referral.adapters.webhooks import DeadLetter
from referral.domain.webhooks import Answer, Delivery, RetryPolicy

log = logging.getLogger(__name__)
Sleep = Callable[[float], Awaitable[None]]


class Sender(Protocol):
    async def send(self, delivery: Delivery) -> Answer:
        """One signed POST; never raises for what the receiver or the network does."""
        ...


class DeadLetters(Protocol):
    async def park(self, delivery: Delivery, attempts: int, reason: str) -> None:
        """Keep the delivery for an operator; a second park of the same event updates it."""
        ...


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    attempts: int
    reason: str | None = None  # why it was parked


async def deliver(
    delivery: Delivery,
    sender: Sender,
    dead_letters: DeadLetters,
    policy: RetryPolicy,
    sleep: Sleep = asyncio.sleep,
) -> Outcome:
    """Deliver once or park it; returns what happened (raises only if parking failed)."""
    if delivery.problem is not None:
        await dead_letters.park(delivery, 0, delivery.problem)
        _log(delivery, "webhook dead-lettered", 0, Answer(None, delivery.problem), logging.ERROR)
        return Outcome(False, 0, delivery.problem)
    answer = Answer(None, "not_tried")
    attempt = 0
    for attempt in range(1, policy.attempts + 1):
        answer = await sender.send(delivery)
        if answer.ok:
            _log(delivery, "webhook delivered", attempt, answer, logging.INFO)
            return Outcome(True, attempt)
        if answer.final:
            break
        _log(delivery, "webhook attempt failed", attempt, answer, logging.WARNING)
        if attempt < policy.attempts:
            await sleep(policy.pause_after(attempt))
    await dead_letters.park(delivery, attempt, answer.reason)
    _log(delivery, "webhook dead-lettered", attempt, answer, logging.ERROR)
    return Outcome(False, attempt, answer.reason)


def _log(delivery: Delivery, message: str, attempt: int, answer: Answer, level: int) -> None:
    # Ids, the partner and the status only: a body can hold an applicant (offers v1).
    log.log(
        level,
        message,
        extra={
            "partner_code": delivery.partner_code,
            "event_id": str(delivery.event_id),
            "event_type": delivery.event_type,
            "attempt": attempt,
            "result": answer.reason,
        },
    )


class Redrives(DeadLetters, Protocol):
    async def asked(self, limit: int = 50) -> list[tuple[DeadLetter, bytes | None]]: ...
    async def delivered(self, dead_letter_id: int) -> None: ...
    async def unasked(self, dead_letter_id: int, reason: str) -> None: ...


async def redrive(
    store: Redrives,
    urls: Mapping[str, str],
    sender: Sender,
    policy: RetryPolicy,
    sleep: Sleep = asyncio.sleep,
) -> int:
    """Try again the dead letters an operator asked for, each to its partner's callback URL
    as it is now (it may have been corrected), with the same policy; a failure parks it again.
    Returns how many were delivered."""
    delivered = 0
    for letter, body in await store.asked():
        url = urls.get(letter.partner_code)
        if url is None or body is None:
            await store.unasked(letter.id, "no_callback_url" if url is None else "body_expired")
            continue
        delivery = Delivery(
            partner_code=letter.partner_code,
            url=url,
            event_id=letter.event_id,
            event_type=letter.event_type,
            body=body,
            topic=letter.topic,
            partition=letter.partition,
            offset=letter.offset,
        )
        if (await deliver(delivery, sender, store, policy, sleep)).delivered:
            await store.delivered(letter.id)
            delivered += 1
    return delivered


Deliver = Callable[[Delivery], Awaitable[Outcome]]
Done = Callable[[Delivery, Outcome], Awaitable[None]]


@dataclass
class Lanes:
    """One lane (a queue and its task) per partner. `done` runs after each delivery, in
    order (the Kafka adapter commits the offset there). A failure of `deliver` itself (the
    dead letter could not be written) is waited out and the same delivery tried again: it is
    never skipped. A failure of `done` is logged only: the record's offset stays uncommitted,
    and Kafka hands it out again after a restart (a duplicate, which X-EXTERNAL-ID absorbs)."""

    deliver: Deliver
    done: Done
    sleep: Sleep = asyncio.sleep
    outage_pause_s: float = 5.0
    _queues: dict[str, asyncio.Queue[Delivery]] = field(default_factory=dict)
    _tasks: dict[str, asyncio.Task[None]] = field(default_factory=dict)
    _pending: dict[str, int] = field(default_factory=dict)

    def put(self, delivery: Delivery) -> None:
        code = delivery.partner_code
        if code not in self._queues:
            self._queues[code] = asyncio.Queue()
            self._tasks[code] = asyncio.create_task(self._run(code), name=f"webhooks-{code}")
        self._queues[code].put_nowait(delivery)
        self._pending[code] = self._pending.get(code, 0) + 1

    def backlog(self, partner_code: str) -> int:
        """Deliveries not yet done for the partner, the one under way included."""
        return self._pending.get(partner_code, 0)

    def drop_waiting(self, keep: Callable[[Delivery], bool]) -> int:
        """Forget waiting deliveries that `keep` refuses (their partitions went to another
        consumer, which delivers them from the committed offset); returns how many."""
        dropped = 0
        for code, queue in self._queues.items():
            waiting = []
            while not queue.empty():
                waiting.append(queue.get_nowait())
                queue.task_done()
            for delivery in waiting:
                if keep(delivery):
                    queue.put_nowait(delivery)
                else:
                    dropped += 1
                    self._pending[code] -= 1
        return dropped

    async def drain(self) -> None:
        """Until every delivery put so far is done (tests, and a graceful stop)."""
        await asyncio.gather(*(q.join() for q in self._queues.values()))

    async def close(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        self._queues.clear()
        self._tasks.clear()
        self._pending.clear()

    async def _run(self, partner_code: str) -> None:
        queue = self._queues[partner_code]
        while True:
            delivery = await queue.get()
            try:
                outcome = await self._until_done(delivery)
                try:
                    await self.done(delivery, outcome)
                except Exception as exc:
                    _trouble("webhook delivery done, its offset not committed", delivery, exc)
            finally:
                self._pending[partner_code] -= 1
                queue.task_done()

    async def _until_done(self, delivery: Delivery) -> Outcome:
        while True:
            try:
                return await self.deliver(delivery)
            except Exception as exc:  # CancelledError is no Exception: a stop goes through
                _trouble("webhook delivery could not be finished; trying again", delivery, exc)
                await self.sleep(self.outage_pause_s)


def _trouble(message: str, delivery: Delivery, exc: Exception) -> None:
    log.error(
        message,
        extra={
            "partner_code": delivery.partner_code,
            "event_id": str(delivery.event_id),
            "error": type(exc).__name__,
        },
    )
