"""Where the relay sends rows, and which refusals are a destination's own: no destination
can stop another.

Before a batch is sent the relay asks the cluster which of its topics exist (`Destinations`,
at most once a second); a row whose topic is missing, or that the broker refuses for good (an
authorization error, a record too large: `refused_for_good`), waits and is then parked
(shared.messaging.claiming), while every other row is published as usual. A fault of the
cluster as a whole (unreachable, timing out) parks nothing.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Collection, Iterable
from typing import Any

from shared.kafka_security import KafkaSecurity

TOPICS_FRESH_FOR_S = 1.0  # how long the cluster's list of topics is trusted


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


def refusal_reason(exc: BaseException) -> str:
    """The error's class and message: Kafka's messages name topics and sizes, never values."""
    return f"{type(exc).__name__}: {exc}"[:500]


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
