"""Notify's routes answer as they did before they sent commands: the same statuses and
problem+json bodies (the preview's refusals, the webhooks' 404, 401 and 422), and the same
answers, through the real app over the in-memory unit of work."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any, get_args
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient
from notify_fakes import NOON, Client, World

from notify.domain import webhooks
from notify.domain.model import Notification
from notify.entrypoints import api
from notify.entrypoints.app import create
from shared.auth import Principal

BASE = "/api/notifications"
SITI = Principal("siti-sub", "siti", "jembatan-cli", frozenset({"officer"}), "3273", None)
SECRET = b"dev-only-smsprovider-webhook-secret"
PHONE = "+6281299990000"


@pytest.fixture
def http() -> Iterator[tuple[TestClient, World]]:
    app = create(configure_process=False)
    container = app.state.container
    app.state.container = dataclasses.replace(
        container, rules=dataclasses.replace(container.rules, clock=lambda: NOON)
    )
    world = World()
    app.state.bus = world.bus
    app.dependency_overrides[get_args(api.CaseWorker)[1].dependency] = lambda: SITI
    yield TestClient(app), world


def _signed(body: bytes, webhook_id: str = "wh_1", at: datetime = NOON) -> dict[str, str]:
    t = str(int(at.timestamp()))
    return {
        "X-Provider-Webhook-Id": webhook_id,
        "X-Provider-Signature": f"t={t},v1={webhooks.signature(SECRET, t, webhook_id, body)}",
        "Content-Type": "application/json",
    }


def _post(web: TestClient, path: str, data: Any, **signing: Any) -> Any:
    body = data if isinstance(data, bytes) else json.dumps(data).encode()
    return web.post(f"{BASE}/webhooks/{path}", content=body, headers=_signed(body, **signing))


def test_the_message_log_of_a_client(http: tuple[TestClient, World]) -> None:
    web, world = http
    n = Notification.plan(
        event_id=uuid4(),
        recipient="client:x",
        client_id=uuid4(),
        region_code="3273",
        template="client_registered",
        language="id",
        channel="sms",
        context={},
        refusal="no_consent",
        not_before=NOON,
    )
    n.created_at = NOON
    world.store.messages[n.id] = n
    page = web.get(BASE, params={"client_id": str(n.client_id), "limit": 1}).json()
    assert page["next_cursor"] == "2026-12-10T03:00:00+00:00"
    [item] = page["items"]
    assert (item["status"], item["reason"], item["not_before"]) == (
        "suppressed",
        "no_consent",
        None,
    )


def test_a_preview_and_its_refusals(http: tuple[TestClient, World]) -> None:
    web, _ = http
    shown = web.post(f"{BASE}/preview", json={"template": "client_registered"})
    assert shown.status_code == 200
    assert list(shown.json()) == [
        "template", "language", "subject", "text", "encoding", "characters", "sms_segments",
    ]  # fmt: skip
    unknown = web.post(f"{BASE}/preview", json={"template": "nope"})
    assert unknown.status_code == 422
    assert unknown.headers["content-type"] == "application/problem+json"
    assert unknown.json() == {
        "type": "https://jembatan.example/problems/validation",
        "title": "Unprocessable Content",
        "status": 422,
        "detail": "The request has invalid fields.",
        "errors": [{"field": "template", "message": "is not a message template"}],
    }
    personal = web.post(
        f"{BASE}/preview",
        json={"template": "referral_sent", "context": {"partner_name": PHONE, "product_name": "x"}},
    )
    assert personal.json()["errors"] == [
        {"field": "context", "message": "must not contain a NIK or a phone number"}
    ]


def test_a_delivery_report_is_answered_matched_then_duplicate(
    http: tuple[TestClient, World],
) -> None:
    web, world = http
    report = {"message_id": "pm-1", "status": "delivered", "at": "2026-12-10T03:00:04+00:00"}
    assert _post(web, "smsprovider/status", report).json() == {"matched": False, "duplicate": False}
    assert _post(web, "smsprovider/status", report).json() == {"matched": False, "duplicate": True}
    assert set(world.store.webhooks) == {("smsprovider", "wh_1")}


def test_a_stop_is_answered_received(http: tuple[TestClient, World]) -> None:
    web, world = http
    world.store.clients[uuid4()] = Client("3273", phone=PHONE)
    reply = {"from": PHONE, "channel": "sms", "text": "STOP"}
    answer = _post(web, "smsprovider/inbound", reply)
    assert (answer.status_code, answer.json()) == (200, {"status": "received"})
    assert [e.type for _, e in world.uow.published] == ["jembatan.notification.opted_out.v1"]


def test_webhooks_refused_as_before(http: tuple[TestClient, World]) -> None:
    web, _ = http
    report = {"message_id": "pm-1", "status": "delivered", "at": "2026-12-10T03:00:04+00:00"}
    other = _post(web, "someone-else/status", report)
    assert (other.status_code, other.json()["detail"]) == (404, "No such provider.")
    stale = _post(web, "smsprovider/status", report, at=NOON.replace(hour=1))
    assert stale.status_code == 401 and stale.json() == {
        "type": "about:blank",
        "title": "Unauthorized",
        "status": 401,
        "detail": "The webhook's signature does not verify.",
    }
    not_json = _post(web, "smsprovider/status", b"{not json")
    assert not_json.status_code == 422
    assert not_json.json()["errors"] == [{"field": "body", "message": "is not valid JSON"}]
    incomplete = _post(web, "smsprovider/status", {"status": "lost"})
    assert incomplete.status_code == 422
    assert incomplete.json()["errors"] == [
        {"field": "message_id", "message": "is missing or invalid"},
        {"field": "status", "message": "is missing or invalid"},
        {"field": "at", "message": "is missing or invalid"},
    ]
