"""A consumer handles a batch of events in one transaction, each exactly once: the real notify
reactions and planning book against real PostgreSQL.

Within a batch, an event sees what the events before it wrote (a registration then a consent:
the welcome SMS is scheduled, not refused for want of a phone number); a repeat in the batch
and a redelivered batch change nothing; one bad event is dead-lettered alone while the rest
of its batch takes effect.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from notify import bootstrap
from notify.adapters import orm
from notify.service_layer.reactions import consumed
from notify.settings import NotifySettings
from shared.contracts import client as contracts
from shared.db import upgrade
from shared.messaging.consumer import IdempotentConsumer, Outcome
from shared.messaging.envelope import Envelope
from support import stack

pytestmark = pytest.mark.integration


def _envelope(model: type[Any], data: dict[str, Any]) -> Envelope:
    event = model.model_validate(model.EXAMPLE | data)
    return Envelope(
        type=model.TYPE,
        source=contracts.SOURCE,
        subject=f"client/{data['client_id']}",
        key=str(data["client_id"]),
        data=event.to_data(),
    )


def _registered(client_id: uuid.UUID) -> Envelope:
    return _envelope(
        contracts.ClientRegistered,
        {
            "client_id": str(client_id),
            "region_code": "3273",
            "registered_at": datetime.now(UTC).isoformat(),
            "contact": {"phone": "+6281234500000"},
        },
    )


def _consented(client_id: uuid.UUID, channels: tuple[str, ...] = ("sms",)) -> Envelope:
    return _envelope(
        contracts.ConsentGranted,
        {
            "client_id": str(client_id),
            "consent_id": str(uuid.uuid4()),
            "region_code": "3273",
            "purpose": "notifications",
            "partner_code": None,
            "scope": [],
            "channels": list(channels),
            "granted_at": datetime.now(UTC).isoformat(),
        },
    )


@pytest.fixture
async def notify() -> AsyncIterator[bootstrap.Container]:
    url = stack.database_url("notify", test=True)
    upgrade("notify.migrations", url)
    container = bootstrap.build(NotifySettings(database_url=url))
    yield container
    await container.engine.dispose()


def _consumer(container: bootstrap.Container) -> IdempotentConsumer:
    return IdempotentConsumer(
        f"batch-{uuid.uuid4().hex[:8]}",
        container.sessions,
        orm.inbox,
        consumed(container.rules, container.keys)[contracts.TOPIC],
        max_attempts=2,
        base_backoff_s=0.01,
    )


async def _messages(container: bootstrap.Container, event_id: uuid.UUID) -> dict[str, str]:
    table = orm.notifications
    async with container.sessions() as session:
        rows = await session.execute(
            select(table.c.channel, table.c.status, table.c.reason).where(
                table.c.event_id == event_id
            )
        )
        return {r.channel: r.reason or r.status for r in rows}


async def _announced(container: bootstrap.Container, event_ids: list[uuid.UUID]) -> int:
    async with container.sessions() as session:
        return (
            await session.scalar(
                select(func.count())
                .select_from(orm.outbox)
                .where(
                    orm.outbox.c.payload["answers_event_id"].astext.in_([str(i) for i in event_ids])
                )
            )
        ) or 0


async def _no_dead_letters(envelope: Envelope, reason: str) -> None:
    raise AssertionError(f"nothing here should be dead-lettered ({reason})")


async def test_a_batch_sees_its_own_writes_and_applies_each_event_once(
    notify: bootstrap.Container,
) -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    welcome_a, welcome_b = _consented(a), _consented(b, ("sms", "whatsapp"))
    second_consent_a = _consented(a)
    unhandled = Envelope(
        type="jembatan.client.something_else.v1",
        source=contracts.SOURCE,
        subject="client/x",
        key=str(a),
        data={"client_id": str(a)},
    )
    batch = [
        _registered(a),
        welcome_a,
        _registered(b),
        welcome_b,
        welcome_a,  # the same event twice in one batch
        second_consent_a,  # a second consent: the client was welcomed already
        unhandled,
    ]
    consumer = _consumer(notify)

    outcomes = await consumer.handle_all(batch, _no_dead_letters)

    applied, duplicate, ignored = Outcome.APPLIED, Outcome.DUPLICATE, Outcome.IGNORED
    assert outcomes == [applied, applied, applied, applied, duplicate, applied, ignored]
    expected = {"sms": "scheduled", "whatsapp": "no_consent", "email": "no_consent"}
    assert await _messages(notify, welcome_a.id) == expected
    assert await _messages(notify, welcome_b.id) == expected | {"whatsapp": "scheduled"}
    assert await _messages(notify, second_consent_a.id) == {}
    assert await _announced(notify, [welcome_a.id, welcome_b.id]) == 3
    async with notify.sessions() as session:
        stored = await session.scalar(
            select(orm.notification_consents.c.channels).where(
                orm.notification_consents.c.consent_id == welcome_b.data["consent_id"]
            )
        )
    assert stored == ["sms", "whatsapp"]

    redelivered = await consumer.handle_all(batch, _no_dead_letters)

    assert redelivered == [duplicate] * 6 + [ignored]
    assert await _messages(notify, welcome_a.id) == expected
    assert await _announced(notify, [welcome_a.id, welcome_b.id]) == 3


async def test_one_bad_event_is_dead_lettered_alone(notify: bootstrap.Container) -> None:
    c, d = uuid.uuid4(), uuid.uuid4()
    good_c, good_d = _consented(c), _consented(d)
    bad = Envelope(
        type=contracts.ConsentGranted.TYPE,
        source=contracts.SOURCE,
        subject="client/x",
        key=str(uuid.uuid4()),
        data={"client_id": str(uuid.uuid4()), "purpose": "notifications"},  # fields missing
    )
    parked: list[tuple[uuid.UUID, str]] = []

    async def dead_letter(envelope: Envelope, reason: str) -> None:
        parked.append((envelope.id, reason))

    outcomes = await _consumer(notify).handle_all([good_c, bad, good_d], dead_letter)

    assert outcomes == [Outcome.APPLIED, Outcome.DEAD_LETTERED, Outcome.APPLIED]
    assert parked == [(bad.id, "ValidationError after 2 attempts")]
    for good in (good_c, good_d):  # no phone on record: the SMS is refused, and says why
        assert await _messages(notify, good.id) == {
            "sms": "no_phone_number",
            "whatsapp": "no_consent",
            "email": "no_consent",
        }
