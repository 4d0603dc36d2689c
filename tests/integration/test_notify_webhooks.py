"""The provider's webhooks through notify's own routes and real PostgreSQL, with a fixed clock.

A replay inside the five-minute window finds its id remembered and changes nothing; a
failure report never undoes a delivery; every bad signature is the same 401, never a 500;
the sender's purge forgets ids once their signature is too old to be accepted again.
Each test module works in a schema of its own in notify's test database, dropped afterwards.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy import create_engine, insert, select, text

from notify import bootstrap
from notify.adapters import orm
from notify.entrypoints.app import create
from notify.service_layer import inbound
from notify.service_layer.planning import Work
from notify.settings import NotifySettings
from shared.db import upgrade
from support import stack

pytestmark = pytest.mark.integration

SECRET = b"test-webhook-secret"
NOW = datetime(2026, 12, 7, 3, 0, 0, tzinfo=UTC)
STATUS = "/api/notifications/webhooks/smsprovider/status"
INBOUND = "/api/notifications/webhooks/smsprovider/inbound"
PHONE = "+6281299990042"


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    base = stack.database_url("notify", test=True)
    schema = f"webhooks_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{base}?options=-csearch_path%3D{schema}"
    try:
        upgrade("notify.migrations", url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _stopped(container: bootstrap.Container) -> bootstrap.Container:
    """The container with its clock stopped at NOW."""
    return dataclasses.replace(
        container, rules=dataclasses.replace(container.rules, clock=lambda: NOW)
    )


@pytest.fixture
def settings(database_url: str) -> NotifySettings:
    return NotifySettings(database_url=database_url, provider_webhook_secret=SECRET.decode())


@pytest.fixture
async def api(settings: NotifySettings) -> AsyncIterator[httpx.AsyncClient]:
    """Notify's API (its transactions see only the caller's rows, as in production)."""
    app = create(settings, configure_process=False)
    app.state.container = _stopped(app.state.container)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://notify") as client:
        yield client
    await app.state.container.engine.dispose()


@pytest.fixture
async def worker(settings: NotifySettings) -> AsyncIterator[bootstrap.Container]:
    """What notify's worker and sender see: every region's rows."""
    container = _stopped(bootstrap.build(settings))
    yield container
    await container.engine.dispose()


def _signed(
    payload: dict[str, Any], *, at: datetime = NOW, secret: bytes = SECRET
) -> tuple[bytes, dict[str, str]]:
    """A webhook as the provider sends it: its body and headers, ready to be replayed."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    webhook_id = f"wh_{uuid.uuid4().hex}"
    timestamp = int(at.timestamp())
    digest = hmac.new(secret, f"{timestamp}.{webhook_id}.".encode() + body, hashlib.sha256)
    return body, {
        "Content-Type": "application/json",
        "X-Provider-Webhook-Id": webhook_id,
        "X-Provider-Signature": f"t={timestamp},v1={digest.hexdigest()}",
    }


async def _sent_sms(worker: bootstrap.Container) -> tuple[UUID, str]:
    """A message the provider accepted: its notification id and the provider's id."""
    notification_id, provider_id = uuid.uuid4(), f"msg_{uuid.uuid4().hex}"
    async with worker.sessions.begin() as session:
        await session.execute(
            insert(orm.notifications).values(
                id=notification_id,
                event_id=uuid.uuid4(),
                recipient=f"client:{uuid.uuid4()}",
                client_id=uuid.uuid4(),
                region_code="3273",
                template="client_registered",
                language="id",
                channel="sms",
                status="sent",
                provider_message_id=provider_id,
                sent_at=NOW - timedelta(seconds=5),
            )
        )
    return notification_id, provider_id


async def _notification(worker: bootstrap.Container, notification_id: UUID) -> Any:
    async with worker.sessions() as session:
        return (
            await session.execute(
                select(orm.notifications).where(orm.notifications.c.id == notification_id)
            )
        ).one()


async def _events(
    worker: bootstrap.Container, event_type: str, client_id: UUID | None = None
) -> list[Any]:
    async with worker.sessions() as session:
        rows = (
            await session.execute(
                select(orm.outbox.c.payload).where(orm.outbox.c.event_type == event_type)
            )
        ).scalars()
        return [r for r in rows if client_id is None or r["client_id"] == str(client_id)]


def _report(provider_id: str, status: str, at: datetime = NOW) -> dict[str, Any]:
    return {"message_id": provider_id, "status": status, "at": at.isoformat()}


async def test_a_failure_report_after_delivery_leaves_the_message_delivered(
    worker: bootstrap.Container, api: httpx.AsyncClient
) -> None:
    notification_id, provider_id = await _sent_sms(worker)
    delivered = _signed(_report(provider_id, "delivered"))
    failed = _signed(_report(provider_id, "failed", NOW + timedelta(seconds=30)))

    first = await api.post(STATUS, content=delivered[0], headers=delivered[1])
    late_failure = await api.post(STATUS, content=failed[0], headers=failed[1])
    replayed_failure = await api.post(STATUS, content=failed[0], headers=failed[1])
    replayed_delivery = await api.post(STATUS, content=delivered[0], headers=delivered[1])

    assert first.json() == {"matched": True, "duplicate": False}
    assert late_failure.json() == {"matched": False, "duplicate": False}
    assert replayed_failure.status_code == replayed_delivery.status_code == 200
    assert (
        replayed_failure.json()
        == replayed_delivery.json()
        == {
            "matched": False,
            "duplicate": True,
        }
    )
    row = await _notification(worker, notification_id)
    assert row.status == "delivered" and row.reason is None and row.delivered_at == NOW
    announced = [
        e
        for e in await _events(worker, "jembatan.notification.delivered.v1")
        if e["notification_id"] == str(notification_id)
    ]
    assert len(announced) == 1  # the timeline hears of the delivery once


async def test_a_delivery_reported_after_a_failure_is_believed(
    worker: bootstrap.Container, api: httpx.AsyncClient
) -> None:
    notification_id, provider_id = await _sent_sms(worker)
    for status in ("undeliverable", "delivered"):
        body, headers = _signed(_report(provider_id, status))
        assert (await api.post(STATUS, content=body, headers=headers)).json()["matched"]

    row = await _notification(worker, notification_id)
    assert row.status == "delivered" and row.reason is None


async def _known_client(worker: bootstrap.Container, consent_granted_at: datetime) -> UUID:
    client_id = uuid.uuid4()
    async with worker.sessions.begin() as session:
        work = Work.begin(session, worker.rules)
        await work.book.remember_client(client_id, "3273", "id", phone=PHONE)
        await work.book.grant(uuid.uuid4(), client_id, ["sms"], consent_granted_at)
        await work.finish()
    return client_id


def _stop(received_at: datetime | None) -> dict[str, Any]:
    message = {"message_id": f"in_{uuid.uuid4().hex}", "from": PHONE, "channel": "sms"}
    message["text"] = "STOP"
    if received_at is not None:
        message["received_at"] = received_at.isoformat()
    return message


async def test_a_stop_replayed_within_the_window_opts_nobody_out_again(
    worker: bootstrap.Container, api: httpx.AsyncClient
) -> None:
    client_id = await _known_client(worker, NOW - timedelta(days=1))
    body, headers = _signed(_stop(NOW - timedelta(seconds=2)))

    answers = [await api.post(INBOUND, content=body, headers=headers) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.json() for a in answers] == [{"status": "received"}] * 3  # a replay looks alike
    [opted_out] = await _events(worker, "jembatan.notification.opted_out.v1", client_id)
    assert datetime.fromisoformat(opted_out["received_at"]) == NOW - timedelta(seconds=2)


@pytest.mark.parametrize(
    ("received_at", "carried"),
    [
        (NOW - timedelta(minutes=3), NOW - timedelta(minutes=3)),  # queued at the provider
        (None, NOW + timedelta(seconds=1)),  # none of its own: the second it was signed in
        (NOW + timedelta(hours=1), NOW + timedelta(seconds=1)),  # never after its signature
    ],
)
async def test_a_stop_carries_when_it_was_sent_never_after_it_was_signed(
    worker: bootstrap.Container,
    api: httpx.AsyncClient,
    received_at: datetime | None,
    carried: datetime,
) -> None:
    client_id = await _known_client(worker, NOW - timedelta(days=1))
    body, headers = _signed(_stop(received_at))

    assert (await api.post(INBOUND, content=body, headers=headers)).status_code == 200

    [opted_out] = await _events(worker, "jembatan.notification.opted_out.v1", client_id)
    assert datetime.fromisoformat(opted_out["received_at"]) == carried


def _bad_signatures() -> dict[str, tuple[bytes, dict[str, str | bytes]]]:
    body, good = _signed(_stop(None))
    stale_body, stale = _signed(_stop(None), at=NOW - timedelta(minutes=5, seconds=1))
    future_body, future = _signed(_stop(None), at=NOW + timedelta(minutes=5, seconds=1))
    wrong_body, wrong = _signed(_stop(None), secret=b"not-the-secret")
    signature = good["X-Provider-Signature"]
    without = {k: v for k, v in good.items() if k != "X-Provider-Signature"}
    without_id = {k: v for k, v in good.items() if k != "X-Provider-Webhook-Id"}
    old_scheme = "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    return {
        "missing": (body, without),
        "missing id": (body, without_id),
        "malformed": (body, good | {"X-Provider-Signature": signature.replace(",", ";")}),
        "the old body-only scheme": (body, good | {"X-Provider-Signature": old_scheme}),
        "non-ASCII": (body, good | {"X-Provider-Signature": signature.encode() + b"\xc3\xa9"}),
        "non-ASCII id": (body, good | {"X-Provider-Webhook-Id": b"wh_\xc3\xa9"}),
        "wrong secret": (wrong_body, wrong),
        "another id": (body, good | {"X-Provider-Webhook-Id": "wh_fresh"}),
        "stale": (stale_body, stale),
        "from the future": (future_body, future),
    }


async def test_every_bad_signature_is_the_same_401_and_changes_nothing(
    worker: bootstrap.Container, api: httpx.AsyncClient
) -> None:
    answers = {}
    for case, (body, headers) in _bad_signatures().items():
        answers[case] = await api.post(INBOUND, content=body, headers=headers)

    assert {case: a.status_code for case, a in answers.items()} == dict.fromkeys(answers, 401)
    assert all(
        a.headers["content-type"].startswith("application/problem+json") for a in answers.values()
    )
    # One answer for every cause: nothing tells an attacker which part to fix.
    assert len({a.text for a in answers.values()}) == 1
    async with worker.sessions() as session:
        remembered = set(
            (await session.execute(select(orm.provider_webhooks.c.webhook_id))).scalars()
        )
    assert "wh_fresh" not in remembered


async def test_the_purge_forgets_ids_only_once_their_signature_is_too_old_to_replay(
    worker: bootstrap.Container, api: httpx.AsyncClient
) -> None:
    fresh = _signed(_stop(None), at=NOW - timedelta(minutes=5))  # still inside the window
    assert (await api.post(INBOUND, content=fresh[0], headers=fresh[1])).status_code == 200
    table = orm.provider_webhooks
    async with worker.sessions.begin() as session:
        await session.execute(
            insert(table).values(
                provider="smsprovider",
                webhook_id="wh_long_gone",
                signed_at=NOW - timedelta(minutes=7),
            )
        )

    opted_out = await _events(worker, "jembatan.notification.opted_out.v1")

    assert await inbound.forget_old_webhooks(worker.sessions, worker.rules) >= 1

    async with worker.sessions() as session:
        kept = set((await session.execute(select(table.c.webhook_id))).scalars())
    assert "wh_long_gone" not in kept
    assert fresh[1]["X-Provider-Webhook-Id"] in kept
    replayed = await api.post(INBOUND, content=fresh[0], headers=fresh[1])
    assert replayed.status_code == 200
    # remembered still: a duplicate, not a new STOP
    assert await _events(worker, "jembatan.notification.opted_out.v1") == opted_out
