"""Notifications through the real stack: consent per channel, exactly one message per channel
under redelivery and a crash between send and record, retries and dead letters, delivery
reports, STOP withdrawing consent through the client service, and the provider's signed
webhooks, which a replay cannot turn against the client."""

from __future__ import annotations

import email
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from kafka import KafkaProducer

from shared.messaging.worker import DLQ_REASON_HEADER
from support import stack
from support import training as t
from support.people import new_worker

pytestmark = pytest.mark.integration

PROVIDER = "http://127.0.0.1:8109"
WEBHOOK_SECRET = b"dev-only-smsprovider-webhook-secret"  # the stand-in's and notify's default
STATUS_WEBHOOK = "/api/notifications/webhooks/smsprovider/status"
INBOUND_WEBHOOK = "/api/notifications/webhooks/smsprovider/inbound"
OPTED_OUT = "jembatan.notification.opted_out.v1"
MAILDIR = stack.CACHE / "mail" / "new"
# These tests run at any hour: quiet hours (tested with a fixed clock in
# tests/integration/test_notify_quiet_hours.py) would hold every message after 21:00 WIB.
AT_ANY_HOUR = {"NOTIFY_QUIET_HOURS": "false"}


@pytest.fixture(scope="module", autouse=True)
def _sending_at_any_hour() -> Iterator[None]:
    with stack.restarted_with(("notify-worker", "notify-sender"), AT_ANY_HOUR):
        yield


def _client(
    gateway: httpx.Client, siti: dict[str, str], channels: list[str], **overrides: Any
) -> dict[str, Any]:
    body = new_worker(**overrides)
    client = gateway.post("/api/clients", json=body, headers=siti)
    assert client.status_code == 201, client.text
    consent = gateway.post(
        f"/api/clients/{client.json()['id']}/consents",
        json={"purpose": "notifications", "channels": channels, "text_version": "notif-2026-01"},
        headers=siti,
    )
    assert consent.status_code == 201, consent.text
    return client.json() | {"_phone": body["phone"], "_consent_id": consent.json()["id"]}


def _notifications(
    gateway: httpx.Client, siti: dict[str, str], client_id: str
) -> list[dict[str, Any]]:
    answer = gateway.get(f"/api/notifications?client_id={client_id}", headers=siti)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def _settled(
    gateway: httpx.Client, siti: dict[str, str], client_id: str, template: str, count: int
) -> list[dict[str, Any]]:
    """The client's `template` rows once all `count` left scheduled/sending."""

    def check() -> list[dict[str, Any]] | None:
        rows = [n for n in _notifications(gateway, siti, client_id) if n["template"] == template]
        done = [n for n in rows if n["status"] not in ("scheduled", "sending")]
        return rows if len(rows) == count and len(done) == count else None

    return stack.eventually(check, timeout_s=60)


def _provider_messages(**filters: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{PROVIDER}/_control/messages", params=filters)
    return list(answer.json()["items"])


def _mails_with_id(message_id: str) -> list[Path]:
    found = []
    for path in MAILDIR.glob("*"):
        parsed = email.message_from_bytes(path.read_bytes())
        if parsed["Message-ID"] == message_id:
            found.append(path)
    return found


@pytest.fixture()
def siti(tokens: dict[str, str]) -> dict[str, str]:
    return t.auth(tokens["siti"])


def test_without_sms_consent_no_sms_goes_and_the_record_says_why(
    gateway: httpx.Client, siti: dict[str, str]
) -> None:
    client = _client(gateway, siti, ["email"], email="ratna@example.test")
    rows = _settled(gateway, siti, client["id"], "client_registered", 3)
    by_channel = {n["channel"]: n for n in rows}
    assert by_channel["sms"]["status"] == "suppressed"
    assert by_channel["sms"]["reason"] == "no_consent"
    assert by_channel["whatsapp"]["reason"] == "no_consent"
    assert by_channel["email"]["status"] == "sent" and by_channel["email"]["attempts"] == 1
    assert _provider_messages(to=client["_phone"]) == []
    mail = _mails_with_id(f"<{by_channel['email']['id']}@notify.jembatan.test>")
    assert len(mail) == 1
    text = mail[0].read_text()
    assert "Jembatan:" in text and "Uji Coba" not in text  # no name in any message


def test_a_consented_sms_is_sent_then_reported_delivered(
    gateway: httpx.Client, siti: dict[str, str]
) -> None:
    client = _client(gateway, siti, ["sms"])
    [sms] = [
        n
        for n in _settled(gateway, siti, client["id"], "client_registered", 3)
        if n["channel"] == "sms"
    ]
    [sent] = _provider_messages(to=client["_phone"])
    assert sent["reference"] == sms["id"] and sent["text"].startswith("Jembatan:")

    def delivered() -> dict[str, Any] | None:
        rows = _notifications(gateway, siti, client["id"])
        return next((n for n in rows if n["channel"] == "sms" and n["delivered_at"]), None)

    assert stack.eventually(delivered)["status"] == "delivered"


def _signed(
    payload: dict[str, Any], *, at: datetime | None = None, secret: bytes = WEBHOOK_SECRET
) -> tuple[bytes, dict[str, str | bytes]]:
    """A webhook signed as the provider signs it (docs/notifications.md), by hand."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    webhook_id = f"wh_{uuid.uuid4().hex}"
    timestamp = int((at or datetime.now(UTC)).timestamp())
    signed = f"{timestamp}.{webhook_id}.".encode() + body
    digest = hmac.new(secret, signed, hashlib.sha256).hexdigest()
    return body, {
        "Content-Type": "application/json",
        "X-Provider-Webhook-Id": webhook_id,
        "X-Provider-Signature": f"t={timestamp},v1={digest}",
    }


def _captured(webhook_id: str | None = None, **body: str) -> dict[str, Any]:
    """A webhook the stand-in sent, exactly as it went: its URL, headers and body."""
    items = httpx.get(f"{PROVIDER}/_control/webhooks").json()["items"]
    return next(
        w
        for w in reversed(items)
        if (webhook_id is None or w["webhook_id"] == webhook_id)
        and all(json.loads(w["body"]).get(k) == v for k, v in body.items())
    )


def _replay(captured: dict[str, Any]) -> httpx.Response:
    return httpx.post(
        captured["url"], content=captured["body"].encode(), headers=captured["headers"]
    )


def test_a_webhook_not_signed_by_the_provider_just_now_is_refused(gateway: httpx.Client) -> None:
    stop = {"from": "+6281200000000", "channel": "sms", "text": "STOP"}
    body, good = _signed(stop)
    signature = str(good["X-Provider-Signature"])
    now = datetime.now(UTC)
    refused = {
        "unsigned": (body, {"Content-Type": "application/json"}),
        "the old body-only scheme": (
            body,
            good
            | {
                "X-Provider-Signature": "sha256="
                + hmac.new(WEBHOOK_SECRET, body, hashlib.sha256).hexdigest()
            },
        ),
        "non-ASCII": (body, good | {"X-Provider-Signature": signature.encode() + b"\xc3\xa9"}),
        "wrong secret": _signed(stop, secret=b"not-the-provider-s"),
        "six minutes old": _signed(stop, at=now - timedelta(minutes=6)),
        "six minutes ahead": _signed(stop, at=now + timedelta(minutes=6)),
    }
    for case, (content, headers) in refused.items():
        answer = gateway.post(INBOUND_WEBHOOK, content=content, headers=headers)
        assert answer.status_code == 401, case
        assert answer.headers["content-type"].startswith("application/problem+json"), case
    answer = gateway.post(INBOUND_WEBHOOK, content=body, headers=good)
    assert answer.status_code == 200 and answer.json() == {"status": "received"}


def test_an_inbound_stop_withdraws_the_notifications_consent_through_the_client_service(
    gateway: httpx.Client, siti: dict[str, str], tokens: dict[str, str]
) -> None:
    client = _client(gateway, siti, ["sms", "whatsapp"])
    _settled(gateway, siti, client["id"], "client_registered", 3)
    relayed = httpx.post(
        f"{PROVIDER}/_control/inbound",
        json={"from": client["_phone"], "channel": "sms", "text": " stop "},
    )
    assert relayed.json()["delivered_status"] == 200

    def withdrawn() -> dict[str, Any] | None:
        items = gateway.get(f"/api/clients/{client['id']}/consents", headers=siti).json()
        consent = next(c for c in items["items"] if c["id"] == client["_consent_id"])
        return consent if not consent["live"] else None

    assert stack.eventually(withdrawn, timeout_s=60)["withdrawn_at"]

    # notify heard the withdrawal: the next message to this client goes over no channel
    programme = t.programme(gateway, tokens["admin"])
    session = t.session(gateway, tokens["siti"], programme)

    def suppressed_everywhere() -> list[dict[str, Any]] | None:
        t.enrol(gateway, tokens["siti"], session, client["id"])
        rows = [
            n
            for n in _notifications(gateway, siti, client["id"])
            if n["template"] == "training_enrolled"
        ]
        return rows if len(rows) == 3 else None

    rows = stack.eventually(suppressed_everywhere, timeout_s=60)
    assert {n["reason"] for n in rows} == {"no_consent"}


def test_a_captured_stop_replayed_after_the_client_agreed_again_changes_nothing(
    gateway: httpx.Client, siti: dict[str, str]
) -> None:
    client = _client(gateway, siti, ["sms"])
    # The client answers the welcome: notify knows their number by then (a STOP from a
    # number notify has not heard of yet opts nobody out).
    _settled(gateway, siti, client["id"], "client_registered", 3)
    relayed = httpx.post(
        f"{PROVIDER}/_control/inbound",
        json={"from": client["_phone"], "channel": "sms", "text": "STOP"},
    )
    assert relayed.json()["delivered_status"] == 200
    captured = _captured(relayed.json()["webhook_id"])

    def consents() -> dict[str, dict[str, Any]]:
        answer = gateway.get(f"/api/clients/{client['id']}/consents", headers=siti)
        return {c["id"]: c for c in answer.json()["items"]}

    stack.eventually(lambda: not consents()[client["_consent_id"]]["live"], timeout_s=60)
    again = gateway.post(
        f"/api/clients/{client['id']}/consents",
        json={"purpose": "notifications", "channels": ["sms"], "text_version": "notif-2026-01"},
        headers=siti,
    )
    assert again.status_code == 201, again.text

    # The captured request, byte for byte, within its five minutes: remembered, no effect.
    replayed = _replay(captured)
    assert replayed.status_code == 200 and replayed.json() == {"status": "received"}
    # The same STOP delivered late under a new id (a provider's own retry) still says when
    # the client sent it: before they agreed again.
    late_body, late_headers = _signed(json.loads(captured["body"]))
    late = gateway.post(INBOUND_WEBHOOK, content=late_body, headers=late_headers)
    assert late.status_code == 200

    def opted_out_entries() -> list[dict[str, Any]] | None:
        answer = gateway.get(f"/api/clients/{client['id']}/timeline", headers=siti)
        entries = [e for e in answer.json()["items"] if e["event_type"] == OPTED_OUT]
        return entries if len(entries) == 2 else None  # the first STOP and the late one

    stack.eventually(opted_out_entries, timeout_s=60)
    after = consents()
    assert after[again.json()["id"]]["live"]
    assert after[again.json()["id"]]["withdrawn_at"] is None
    assert not after[client["_consent_id"]]["live"]


def test_a_failure_report_replayed_after_delivery_leaves_the_message_delivered(
    gateway: httpx.Client, siti: dict[str, str]
) -> None:
    client = _client(gateway, siti, ["sms"])

    def delivered_sms() -> dict[str, Any] | None:
        rows = _notifications(gateway, siti, client["id"])
        return next((n for n in rows if n["channel"] == "sms" and n["delivered_at"]), None)

    sms = stack.eventually(delivered_sms, timeout_s=60)
    [sent] = _provider_messages(to=client["_phone"])
    delivery = _captured(message_id=sent["message_id"], status="delivered")
    failure_body, failure_headers = _signed(
        {"message_id": sent["message_id"], "status": "failed", "at": datetime.now(UTC).isoformat()}
    )

    failure = gateway.post(STATUS_WEBHOOK, content=failure_body, headers=failure_headers)
    replayed_failure = gateway.post(STATUS_WEBHOOK, content=failure_body, headers=failure_headers)
    replayed_delivery = _replay(delivery)

    assert failure.status_code == 200 and failure.json() == {"matched": False, "duplicate": False}
    assert replayed_failure.json() == {"matched": False, "duplicate": True}
    assert replayed_delivery.json() == {"matched": False, "duplicate": True}
    [now] = [n for n in _notifications(gateway, siti, client["id"]) if n["id"] == sms["id"]]
    assert now["status"] == "delivered" and now["reason"] is None
    assert now["delivered_at"] == sms["delivered_at"]


@pytest.fixture()
def failing_provider() -> Iterator[None]:
    httpx.post(f"{PROVIDER}/_control/fail", json={"status": 500, "times": None})
    try:
        yield
    finally:
        httpx.post(f"{PROVIDER}/_control/reset", json={})


def test_a_provider_answering_500_is_retried_with_backoff_then_dead_lettered_with_the_reason(
    gateway: httpx.Client, siti: dict[str, str], failing_provider: None
) -> None:
    since = stack.topic_end_offsets("notify.events.dlq")
    client = _client(gateway, siti, ["sms"])
    rows = _settled(gateway, siti, client["id"], "client_registered", 3)
    [sms] = [n for n in rows if n["channel"] == "sms"]
    assert sms["status"] == "failed" and sms["reason"] == "provider_http_500"
    assert sms["attempts"] == 5  # NOTIFY_MAX_ATTEMPTS
    # four waits of at least 0.5, 1, 2 and 4 seconds (half of each backoff step)
    spent = datetime.fromisoformat(sms["updated_at"]) - datetime.fromisoformat(sms["created_at"])
    assert spent.total_seconds() >= 7.5

    def parked(records: list[Any]) -> list[Any]:
        return [r for r in records if json.loads(r.value)["notification_id"] == sms["id"]]

    with stack.reading("notify.events.dlq", since) as consumer:
        records = stack.drain_until(consumer, lambda rs: bool(parked(rs)))
    [dead] = parked(records)
    headers = dict(dead.headers)
    assert headers[DLQ_REASON_HEADER] == b"provider_http_500"
    assert headers["ce_type"] == b"jembatan.notification.failed.v1"
    assert client["_phone"].encode() not in dead.value and client["_phone"].encode() not in (
        dead.key or b""
    )
    assert _provider_messages(to=client["_phone"]) == []


def test_one_event_three_times_and_a_crash_between_send_and_record_give_one_message_per_channel(
    gateway: httpx.Client, siti: dict[str, str]
) -> None:
    """The sender holds each sent message 8 s before recording it; it is killed in that
    window, after the provider and the SMTP server have the messages. The consent event that
    caused them is also delivered twice more. Afterwards: one SMS, one email."""
    stack.kill_hard("notify-sender")
    stack.run_infra(
        "services.sh",
        "start",
        env=AT_ANY_HOUR
        | {"NOTIFY_FAULT_HOLD_AFTER_SEND_SECONDS": "8", "NOTIFY_DISPATCH_LEASE_SECONDS": "3"},
    )
    try:
        since = stack.topic_end_offsets("client.events")
        client = _client(gateway, siti, ["sms", "email"], email="dedi@example.test")

        def sent_both() -> list[dict[str, Any]] | None:
            rows = [
                n
                for n in _notifications(gateway, siti, client["id"])
                if n["template"] == "client_registered" and n["channel"] in ("sms", "email")
            ]
            on_wire = [
                n
                for n in rows
                if (n["channel"] == "sms" and _provider_messages(reference=n["id"]))
                or (n["channel"] == "email" and _mails_with_id(f"<{n['id']}@notify.jembatan.test>"))
            ]
            return rows if len(on_wire) == 2 else None

        rows = stack.eventually(sent_both, timeout_s=60)
        assert {n["status"] for n in rows} == {"sending"}  # sent, not yet recorded
        stack.kill_hard("notify-sender")
    finally:
        stack.run_infra("services.sh", "start", env=AT_ANY_HOUR)  # the sender without the fault

    # the consent event, delivered twice more, exactly as it was
    with stack.reading("client.events", since) as consumer:
        records = stack.drain_until(
            consumer, lambda rs: any(client["_consent_id"].encode() in r.value for r in rs)
        )
    [granted] = [r for r in records if client["_consent_id"].encode() in r.value]
    producer = KafkaProducer(bootstrap_servers=stack.KAFKA, **stack.AS_ADMIN, acks="all")
    for _ in range(2):
        producer.send(
            "client.events", key=granted.key, value=granted.value, headers=granted.headers
        ).get(30)
    producer.close()

    rows = _settled(gateway, siti, client["id"], "client_registered", 3)
    by_channel = {n["channel"]: n for n in rows}
    assert by_channel["sms"]["attempts"] == 2 and by_channel["email"]["attempts"] == 2
    assert by_channel["sms"]["status"] in ("sent", "delivered")
    assert by_channel["email"]["status"] == "sent"
    time.sleep(2)  # let any stray duplicate arrive before counting
    assert len(_provider_messages(to=client["_phone"])) == 1
    assert len(_mails_with_id(f"<{by_channel['email']['id']}@notify.jembatan.test>")) == 1
    assert len(_notifications(gateway, siti, client["id"])) == 3


def test_officers_preview_every_template(gateway: httpx.Client, siti: dict[str, str]) -> None:
    kinds = gateway.get("/api/notifications/templates", headers=siti).json()["items"]
    assert len(kinds) >= 14
    for kind in kinds:
        for language in ("id", "en"):
            shown = gateway.post(
                "/api/notifications/preview",
                json={"template": kind["template"], "language": language},
                headers=siti,
            )
            assert shown.status_code == 200, shown.text
            assert shown.json()["encoding"] == "GSM-7"
            assert shown.json()["sms_segments"] <= kind["max_segments"]
    refused = gateway.post(
        "/api/notifications/preview",
        json={
            "template": "referral_sent",
            "context": {"partner_name": "3273010101900001", "product_name": "Tabungan"},
        },
        headers=siti,
    )
    assert refused.status_code == 422 and "3273010101900001" not in refused.text
