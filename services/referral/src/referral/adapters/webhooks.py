"""The wire of partner webhooks (decision 0021): the signed POST, the dead letters in the
referral database, and the Kafka records they come from. Decisions are made in
service_layer/webhooks.py; nothing here retries or waits on its own."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid5

import httpx
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from referral.adapters import orm
from referral.domain.webhooks import Answer, Delivery, endpoint_path
from shared import snap
from shared.contracts.partner import topic_for
from shared.kafka_security import KafkaSecurity
from shared.messaging.envelope import Envelope, UndecodableMessage

log = logging.getLogger(__name__)
GROUP = "referral-webhooks"
# Deliveries waiting for one partner before its partitions are paused (and resumed at half).
MAX_BACKLOG = 200


def cloudevent_body(envelope: Envelope) -> bytes:
    """The event as a CloudEvents 1.0 JSON document (structured mode): the attributes the
    topic carries as `ce_*` headers, and the data. Compact UTF-8, so what is signed is what is
    sent; a receiver that minifies it gets the same bytes."""
    document = {
        "specversion": "1.0",
        "id": str(envelope.id),
        "source": envelope.source,
        "type": envelope.type,
        "subject": envelope.subject,
        "time": envelope.time.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "data": envelope.data,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class HttpSender:
    """One signed POST per attempt, signed at the moment of sending (a retry carries the same
    X-EXTERNAL-ID and body under a fresh X-TIMESTAMP). Redirects are not followed: the
    signature names the path it was made for."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        key: rsa.RSAPrivateKey,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._http, self._key, self._clock = http, key, clock

    def headers(self, delivery: Delivery) -> dict[str, str]:
        at = snap.timestamp(self._clock())
        path = endpoint_path(delivery.url)
        return {
            "Content-Type": "application/json",
            "X-TIMESTAMP": at,
            "X-SIGNATURE": snap.sign(self._key, "POST", path, delivery.body, at),
            "X-PARTNER-ID": delivery.partner_code,
            "X-EXTERNAL-ID": str(delivery.event_id),
        }

    async def send(self, delivery: Delivery) -> Answer:
        try:
            answer = await self._http.post(
                delivery.url, content=delivery.body, headers=self.headers(delivery)
            )
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            return Answer(None, type(exc).__name__)
        return Answer(answer.status_code)


@dataclass(frozen=True)
class DeadLetter:
    id: int
    partner_code: str
    event_id: UUID
    event_type: str
    topic: str
    partition: int
    offset: int
    attempts: int
    reason: str
    parked_at: datetime
    redrive_at: datetime | None
    delivered_at: datetime | None
    has_body: bool


_COLUMNS = orm.webhook_dead_letters.c


def _dead_letter(row: Any) -> DeadLetter:
    return DeadLetter(
        id=row.id,
        partner_code=row.partner_code,
        event_id=row.event_id,
        event_type=row.event_type,
        topic=row.topic,
        partition=row.kafka_partition,
        offset=row.kafka_offset,
        attempts=row.attempts,
        reason=row.reason,
        parked_at=row.parked_at,
        redrive_at=row.redrive_at,
        delivered_at=row.delivered_at,
        has_body=row.has_body,
    )


_LISTED = [
    *(c for c in orm.webhook_dead_letters.c if c.name != "body"),
    (_COLUMNS.body.is_not(None)).label("has_body"),
]


class DeadLetterStore:
    """`webhook_dead_letters`: one row per partner and event that could not be delivered."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessions, self._clock = sessions, clock

    async def park(self, delivery: Delivery, attempts: int, reason: str) -> None:
        now = self._clock()
        row = {
            "partner_code": delivery.partner_code,
            "event_id": delivery.event_id,
            "event_type": delivery.event_type,
            "topic": delivery.topic,
            "kafka_partition": delivery.partition,
            "kafka_offset": delivery.offset,
            "body": delivery.body,
            "attempts": attempts,
            "reason": reason,
            "parked_at": now,
        }
        statement = pg_insert(orm.webhook_dead_letters).values(row)
        # Parked again (a redrive failed, or Kafka handed the record out again): one row, the
        # attempts added up, the newest reason, and no longer asked for.
        statement = statement.on_conflict_do_update(
            index_elements=["partner_code", "event_id"],
            set_={
                "attempts": _COLUMNS.attempts + statement.excluded.attempts,
                "reason": statement.excluded.reason,
                "parked_at": now,
                "redrive_at": None,
                "delivered_at": None,
            },
        )
        async with self._sessions.begin() as session:
            await session.execute(statement)

    async def listed(
        self, partner_code: str | None = None, limit: int = 100, delivered: bool = False
    ) -> list[DeadLetter]:
        query = select(*_LISTED).order_by(_COLUMNS.id).limit(limit)
        if partner_code is not None:
            query = query.where(_COLUMNS.partner_code == partner_code)
        if not delivered:
            query = query.where(_COLUMNS.delivered_at.is_(None))
        async with self._sessions() as session:
            return [_dead_letter(r) for r in await session.execute(query)]

    async def ask_redrive(
        self, partner_code: str | None = None, ids: list[int] | None = None
    ) -> int:
        """Mark undelivered dead letters (of a partner, or these ids, or all) for the
        dispatcher to try again; returns how many."""
        statement = (
            update(orm.webhook_dead_letters)
            .where(_COLUMNS.delivered_at.is_(None))
            .values(redrive_at=self._clock())
        )
        if partner_code is not None:
            statement = statement.where(_COLUMNS.partner_code == partner_code)
        if ids is not None:
            statement = statement.where(_COLUMNS.id.in_(ids))
        async with self._sessions.begin() as session:
            result = await session.execute(statement)
        return int(getattr(result, "rowcount", 0) or 0)

    async def asked(self, limit: int = 50) -> list[tuple[DeadLetter, bytes | None]]:
        """Dead letters an operator asked to redrive, oldest first, with their bodies."""
        query = (
            select(*_LISTED, _COLUMNS.body)
            .where(_COLUMNS.redrive_at.is_not(None), _COLUMNS.delivered_at.is_(None))
            .order_by(_COLUMNS.redrive_at, _COLUMNS.id)
            .limit(limit)
        )
        async with self._sessions() as session:
            return [(_dead_letter(r), r.body) for r in await session.execute(query)]

    async def delivered(self, dead_letter_id: int) -> None:
        async with self._sessions.begin() as session:
            await session.execute(
                update(orm.webhook_dead_letters)
                .where(_COLUMNS.id == dead_letter_id)
                .values(delivered_at=self._clock(), redrive_at=None)
            )

    async def unasked(self, dead_letter_id: int, reason: str) -> None:
        """A redrive that cannot even start (the body is gone, no callback URL any more)."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(orm.webhook_dead_letters)
                .where(_COLUMNS.id == dead_letter_id)
                .values(redrive_at=None, reason=reason)
            )

    async def forget_bodies(self, parked_before: datetime) -> int:
        """Empty the bodies of dead letters parked before `parked_before`; returns how many."""
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(orm.webhook_dead_letters)
                .where(_COLUMNS.parked_at < parked_before, _COLUMNS.body.is_not(None))
                .values(body=None)
            )
        return int(getattr(result, "rowcount", 0) or 0)

    async def count(self) -> int:
        async with self._sessions() as session:
            found = await session.scalar(
                select(func.count()).where(_COLUMNS.delivered_at.is_(None))
            )
        return int(found or 0)


def delivery_of(
    partner_code: str,
    url: str,
    topic: str,
    partition: int,
    offset: int,
    key: bytes | None,
    value: bytes | None,
    headers: Any,
) -> Delivery:
    """The delivery of one Kafka record; a record that is no CloudEvent becomes a delivery
    that is parked without a try (its id derived from where it lies, so a re-read parks the
    same row)."""
    items = [(str(k), bytes(v)) for k, v in (headers or [])]
    try:
        envelope = Envelope.from_kafka(key, value, items)
    except UndecodableMessage as exc:
        return Delivery(
            partner_code=partner_code,
            url=url,
            event_id=uuid5(UUID(int=0), f"{topic}/{partition}/{offset}"),
            event_type="undecodable",
            body=value or b"",
            topic=topic,
            partition=partition,
            offset=offset,
            problem=f"undecodable_{exc}",
        )
    return Delivery(
        partner_code=partner_code,
        url=url,
        event_id=envelope.id,
        event_type=envelope.type,
        body=cloudevent_body(envelope),
        topic=topic,
        partition=partition,
        offset=offset,
    )


class KafkaFeed:
    """Reads the topics of the partners that have a callback URL, in its own consumer group,
    and commits a record's offset only once its delivery is done (delivered or parked).

    The subscription follows the catalogue: `follow` is given the partners' URLs every
    refresh, and (re)subscribes when the set of topics changed. A partner newly given a URL
    receives what its topic still holds (at most its retention, 70 hours); one whose URL is
    removed stops at once and, given one again, goes on from where it stopped.
    """

    def __init__(self, bootstrap_servers: str, security: KafkaSecurity) -> None:
        # Dynamic membership, not static: the subscription follows the catalogue, and a static
        # member that rejoins after a restart is handed its old assignment without a
        # rebalance; had the partners changed meanwhile, it would read a deleted topic and
        # never the new one. Leaving on stop makes a restart's rebalance immediate.
        self.consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap_servers,
            group_id=GROUP,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=500,
            **security.aiokafka(),
        )
        self.urls: dict[str, str] = {}
        self._topics: set[str] = set()
        self._paused: set[str] = set()
        self._commit_lock = asyncio.Lock()

    def follow(self, urls: Mapping[str, str], listener: ConsumerRebalanceListener) -> None:
        self.urls = dict(urls)
        wanted = {topic_for(code) for code in urls}
        if wanted == self._topics:
            return
        if wanted:
            self.consumer.subscribe(topics=sorted(wanted), listener=listener)
        else:
            self.consumer.unsubscribe()
        log.info("webhook topics followed", extra={"topics": len(wanted)})
        self._topics = wanted

    @property
    def following(self) -> bool:
        return bool(self._topics)

    async def fetch(self, timeout_ms: int = 1000) -> list[Delivery]:
        batches = await self.consumer.getmany(timeout_ms=timeout_ms)
        out: list[Delivery] = []
        for tp, records in batches.items():
            code = _partner_of(tp.topic)
            url = self.urls.get(code)
            for record in records:
                if url is None:
                    break  # its URL went since the subscription: not ours to deliver now
                out.append(
                    delivery_of(
                        code,
                        url,
                        tp.topic,
                        tp.partition,
                        record.offset,
                        record.key,
                        record.value,
                        record.headers,
                    )
                )
        return out

    async def commit(self, delivery: Delivery) -> None:
        tp = TopicPartition(delivery.topic, delivery.partition)
        async with self._commit_lock:
            await self.consumer.commit({tp: delivery.offset + 1})

    def throttle(self, backlog: Callable[[str], int]) -> None:
        """Pause the partitions of a partner whose lane is long; resume them at half."""
        assigned = self.consumer.assignment()
        for code in {_partner_of(tp.topic) for tp in assigned}:
            mine = [tp for tp in assigned if tp.topic == topic_for(code)]
            waiting = backlog(code)
            if code not in self._paused and waiting >= MAX_BACKLOG:
                self.consumer.pause(*mine)
                self._paused.add(code)
            elif code in self._paused and waiting <= MAX_BACKLOG // 2:
                self.consumer.resume(*mine)
                self._paused.discard(code)


def _partner_of(topic: str) -> str:
    """The partner code in `partner.<code>.referrals` (codes hold no dot)."""
    return topic.removeprefix("partner.").removesuffix(".referrals")
