"""The SMS/WhatsApp provider stand-in (infra/smsprovider) over real HTTP, as notify will use it.

Each server runs as a subprocess on a free port with a state file of its own, and its webhooks
go to a receiver in this test, so the local stack need not run (and is never touched).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from notify.domain import webhooks
from support import stack

pytestmark = pytest.mark.integration

SERVER = stack.ROOT / "infra" / "smsprovider" / "server.py"
API_KEY = "test-api-key"
SECRET = b"test-webhook-secret"
AUTH = {"Authorization": f"Bearer {API_KEY}"}
SITI_PHONE = "+6281299990001"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Receiver:
    """A webhook endpoint: records each POST and answers `status` (or the next of `script`)."""

    url: str
    status: int = 200
    script: list[int] = field(default_factory=list)
    received: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)

    def answer(self, path: str, headers: dict[str, str], body: bytes) -> int:
        self.received.append((path, headers, body))
        return self.script.pop(0) if self.script else self.status

    def bodies(self, path: str) -> list[bytes]:
        return [body for got, _, body in self.received if got == path]

    def wait_for(self, path: str, count: int) -> list[tuple[dict[str, str], bytes]]:
        """The first `count` requests to `path` (headers, body), once they have arrived."""

        def arrived() -> list[tuple[dict[str, str], bytes]] | None:
            got = [(headers, body) for at, headers, body in self.received if at == path]
            return got[:count] if len(got) >= count else None

        return stack.eventually(arrived, timeout_s=3, every_s=0.02)


@dataclass
class Provider:
    """One server process; `restart` keeps its port and state file."""

    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(SERVER)], env=self.env, stdout=log, stderr=log
            )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        raise AssertionError(f"the stand-in did not start:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def send(self, key: str | None = None, **overrides: Any) -> httpx.Response:
        body = {
            "channel": "sms",
            "to": SITI_PHONE,
            "text": "Halo Siti, pelatihan literasi keuangan besok pukul 09.00.",
            "reference": f"notification-{uuid.uuid4()}",
            "callback_url": None,
        } | overrides
        headers = AUTH | {"Idempotency-Key": key or str(uuid.uuid4())}
        return httpx.post(f"{self.url}/v1/messages", json=body, headers=headers)

    def messages(self, **filters: str) -> list[dict[str, Any]]:
        response = httpx.get(f"{self.url}/_control/messages", params=filters)
        return list(response.json()["items"])

    def control(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return httpx.post(f"{self.url}/_control/{path}", json=body or {}, timeout=10)


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    port = _free_port()
    receiver = Receiver(url=f"http://127.0.0.1:{port}")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            status = receiver.answer(self.path, dict(self.headers.items()), body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield receiver
    server.shutdown()
    server.server_close()


def _provider(tmp: Path, inbound_url: str | None = None) -> Provider:
    port = _free_port()
    inbound_url = inbound_url or f"http://127.0.0.1:{_free_port()}/inbound"  # nobody listens
    env = os.environ | {
        "SMSPROVIDER_PORT": str(port),
        "SMSPROVIDER_STATE": str(tmp / "messages.jsonl"),
        "SMSPROVIDER_API_KEY": API_KEY,
        "SMSPROVIDER_WEBHOOK_SECRET": SECRET.decode(),
        "SMSPROVIDER_DELIVERY_DELAY_S": "0.05",
        "SMSPROVIDER_INBOUND_URL": inbound_url,
    }
    return Provider(port=port, env=env, log=tmp / "smsprovider.log")


@pytest.fixture(scope="module")
def shared_provider(
    tmp_path_factory: pytest.TempPathFactory, receiver: Receiver
) -> Iterator[Provider]:
    provider = _provider(tmp_path_factory.mktemp("smsprovider"), f"{receiver.url}/inbound")
    provider.start()
    yield provider
    provider.stop()


@pytest.fixture
def provider(shared_provider: Provider, receiver: Receiver) -> Provider:
    """The module's server, emptied: no messages, no fail mode, counters at zero."""
    assert shared_provider.control("reset", {"erase": True}).json() == {"erased": True}
    receiver.received.clear()
    receiver.status, receiver.script = 200, []
    return shared_provider


def _signed_by_secret(headers: dict[str, str], body: bytes) -> bool:
    """Signed as notify checks it: over the time, the webhook id and the body, just now."""
    fields = dict(item.split("=", 1) for item in headers["X-Provider-Signature"].split(","))
    assert set(fields) == {"t", "v1"}
    assert abs(time.time() - int(fields["t"])) < 5
    signed = f"{fields['t']}.{headers['X-Provider-Webhook-Id']}.".encode() + body
    expected = hmac.new(SECRET, signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(fields["v1"], expected)


def test_an_accepted_message_is_recorded_as_sent(provider: Provider) -> None:
    response = provider.send("key-1", channel="whatsapp", reference="notification-1")

    assert response.status_code == 202
    assert response.json()["status"] == "accepted"
    assert response.json()["message_id"].startswith("msg_")
    assert provider.messages(reference="notification-1") == [
        {
            "message_id": response.json()["message_id"],
            "channel": "whatsapp",
            "to": SITI_PHONE,
            "text": "Halo Siti, pelatihan literasi keuangan besok pukul 09.00.",
            "reference": "notification-1",
            "idempotency_key": "key-1",
            "received_at": provider.messages()[0]["received_at"],
        }
    ]
    received_at = datetime.fromisoformat(provider.messages()[0]["received_at"])
    assert received_at.utcoffset() == timedelta(0)


def test_messages_can_be_filtered_by_number_reference_and_channel(provider: Provider) -> None:
    provider.send(reference="a", to="+6281299990001", channel="sms")
    provider.send(reference="b", to="+6281299990002", channel="whatsapp")
    provider.send(reference="c", to="+6281299990002", channel="sms")

    assert [m["reference"] for m in provider.messages()] == ["a", "b", "c"]
    assert [m["reference"] for m in provider.messages(to="+6281299990002")] == ["b", "c"]
    assert [m["reference"] for m in provider.messages(channel="sms")] == ["a", "c"]
    assert [m["reference"] for m in provider.messages(to="+6281299990002", channel="sms")] == ["c"]
    # A "+" left unencoded in a query string arrives as a space; it is still understood.
    raw = httpx.get(f"{provider.url}/_control/messages?to=+6281299990001&reference=a")
    assert [m["reference"] for m in raw.json()["items"]] == ["a"]


def test_a_resend_with_the_same_idempotency_key_returns_the_same_message_and_records_nothing(
    provider: Provider,
) -> None:
    first = provider.send("key-resent", reference="notification-2")
    again = provider.send("key-resent", reference="notification-2")

    assert first.status_code == again.status_code == 202
    assert again.json() == first.json()
    assert len(provider.messages(reference="notification-2")) == 1
    assert httpx.get(f"{provider.url}/_control/attempts").json() == {"accepted": 2, "failed": 0}


def test_a_send_without_the_api_key_or_with_a_wrong_one_is_refused(provider: Provider) -> None:
    body = {"channel": "sms", "to": SITI_PHONE, "text": "Halo", "reference": "r"}
    anonymous = httpx.post(
        f"{provider.url}/v1/messages", json=body, headers={"Idempotency-Key": "k"}
    )
    wrong = httpx.post(
        f"{provider.url}/v1/messages",
        json=body,
        headers={"Idempotency-Key": "k", "Authorization": "Bearer not-the-key"},
    )

    assert anonymous.status_code == wrong.status_code == 401
    assert anonymous.json()["error"] == "unauthorized"
    assert provider.messages() == []
    assert httpx.get(f"{provider.url}/_control/attempts").json() == {"accepted": 0, "failed": 2}


def test_a_send_without_an_idempotency_key_is_refused(provider: Provider) -> None:
    body = {"channel": "sms", "to": SITI_PHONE, "text": "Halo", "reference": "r"}
    response = httpx.post(f"{provider.url}/v1/messages", json=body, headers=AUTH)

    assert response.status_code == 400
    assert provider.messages() == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"to": "081299990001"}, "to"),  # national format, not E.164
        ({"to": "+0812999900"}, "to"),
        ({"to": "+62812999900011234"}, "to"),  # 17 digits
        ({"to": "+6281299990001\n"}, "to"),
        ({"channel": "email"}, "channel"),
        ({"text": ""}, "text"),
        ({"text": "x" * 1601}, "text"),
        ({"reference": None}, "reference"),
        ({"callback_url": "ftp://example.test/x"}, "callback_url"),
    ],
)
def test_an_invalid_message_is_refused_naming_the_field(
    provider: Provider, overrides: dict[str, Any], field: str
) -> None:
    response = provider.send(**overrides)

    assert response.status_code == 422
    assert response.json()["field"] == field
    assert provider.messages() == []


def test_the_longest_allowed_text_is_accepted(provider: Provider) -> None:
    assert provider.send(text="x" * 1600, to="+628129999000112").status_code == 202


def test_fail_mode_fails_the_next_sends_then_accepts_and_counts_every_attempt(
    provider: Provider,
) -> None:
    assert provider.control("fail", {"status": 503, "times": 2}).status_code == 200

    answers = [provider.send("key-retried", reference="notification-3") for _ in range(3)]

    assert [a.status_code for a in answers] == [503, 503, 202]
    assert answers[0].json()["error"] == "injected_failure"
    assert len(provider.messages(reference="notification-3")) == 1
    assert httpx.get(f"{provider.url}/_control/attempts").json() == {"accepted": 1, "failed": 2}


def test_fail_mode_without_a_count_lasts_until_reset(provider: Provider) -> None:
    provider.control("fail", {"status": 500, "times": None})
    assert {provider.send("key-outage").status_code for _ in range(4)} == {500}

    provider.control("reset")

    assert provider.send("key-outage").status_code == 202
    assert httpx.get(f"{provider.url}/_control/attempts").json() == {"accepted": 1, "failed": 0}


def test_a_signed_delivery_report_is_posted_to_the_callback_url(
    provider: Provider, receiver: Receiver
) -> None:
    sent = provider.send(reference="notification-4", callback_url=f"{receiver.url}/delivery")

    [(headers, body)] = receiver.wait_for("/delivery", 1)
    assert _signed_by_secret(headers, body)
    report = json.loads(body)
    assert report == {
        "message_id": sent.json()["message_id"],
        "reference": "notification-4",
        "status": "delivered",
        "at": report["at"],
    }
    assert datetime.fromisoformat(report["at"]).utcoffset() == timedelta(0)


def test_a_refused_delivery_report_is_retried(provider: Provider, receiver: Receiver) -> None:
    receiver.script = [500]

    provider.send(callback_url=f"{receiver.url}/delivery")

    (first, refused), (headers, retried) = receiver.wait_for("/delivery", 2)
    assert retried == refused and _signed_by_secret(headers, retried)
    # one webhook: the retry has the same id, so notify applies it at most once
    assert headers["X-Provider-Webhook-Id"] == first["X-Provider-Webhook-Id"]
    time.sleep(0.7)  # past the next retry pause: a 2xx ends the retries
    assert len(receiver.bodies("/delivery")) == 2


def test_an_inbound_reply_is_relayed_signed_with_the_receivers_status(
    provider: Provider, receiver: Receiver
) -> None:
    receiver.status = 202

    response = provider.control(
        "inbound", {"from": SITI_PHONE, "channel": "whatsapp", "text": "STOP"}
    )

    assert response.status_code == 200
    assert response.json()["delivered_status"] == 202
    [(path, headers, body)] = receiver.received
    assert path == "/inbound"
    assert _signed_by_secret(headers, body)
    assert headers["X-Provider-Webhook-Id"] == response.json()["webhook_id"]
    relayed = json.loads(body)
    assert relayed == {
        "message_id": response.json()["message_id"],
        "from": SITI_PHONE,
        "channel": "whatsapp",
        "text": "STOP",
        "received_at": relayed["received_at"],
    }


def test_each_webhook_has_an_id_of_its_own(provider: Provider, receiver: Receiver) -> None:
    for _ in range(2):
        provider.control("inbound", {"from": SITI_PHONE, "channel": "sms", "text": "STOP"})
    provider.send(callback_url=f"{receiver.url}/delivery")
    receiver.wait_for("/delivery", 1)

    ids = [headers["X-Provider-Webhook-Id"] for _, headers, _ in receiver.received]
    assert len(ids) == len(set(ids)) == 3
    assert all(i.startswith("wh_") and "." not in i for i in ids)


def test_notify_accepts_the_webhooks_the_stand_in_signs(
    provider: Provider, receiver: Receiver
) -> None:
    provider.control("inbound", {"from": SITI_PHONE, "channel": "sms", "text": "STOP"})
    provider.send(callback_url=f"{receiver.url}/delivery")
    receiver.wait_for("/delivery", 1)

    for _, headers, body in receiver.received:
        signed = webhooks.verify(
            headers["X-Provider-Signature"],
            headers["X-Provider-Webhook-Id"],
            body,
            [SECRET],
            datetime.now(UTC),
        )
        assert signed.webhook_id == headers["X-Provider-Webhook-Id"]


def test_sent_webhooks_can_be_read_back_byte_for_byte_to_replay_them(
    provider: Provider, receiver: Receiver
) -> None:
    relayed = provider.control("inbound", {"from": SITI_PHONE, "channel": "sms", "text": "STOP"})

    [sent] = httpx.get(f"{provider.url}/_control/webhooks").json()["items"]
    [(_, headers, body)] = receiver.received
    assert sent["webhook_id"] == relayed.json()["webhook_id"]
    assert sent["url"] == f"{receiver.url}/inbound" and sent["status"] == 200
    assert sent["body"].encode() == body
    assert sent["headers"]["X-Provider-Signature"] == headers["X-Provider-Signature"]
    provider.control("reset")
    assert httpx.get(f"{provider.url}/_control/webhooks").json() == {"items": []}


def test_an_inbound_reply_with_an_invalid_number_is_refused(
    provider: Provider, receiver: Receiver
) -> None:
    response = provider.control("inbound", {"from": "0812", "channel": "sms", "text": "STOP"})

    assert response.status_code == 422 and response.json()["field"] == "from"
    assert receiver.received == []


def test_an_unreachable_inbound_url_answers_502(tmp_path: Path) -> None:
    provider = _provider(tmp_path)
    provider.start()
    try:
        response = provider.control("inbound", {"from": SITI_PHONE, "channel": "sms", "text": "Y"})
    finally:
        provider.stop()

    assert response.status_code == 502


def test_deduplication_survives_a_restart(tmp_path: Path) -> None:
    provider = _provider(tmp_path)
    provider.start()
    try:
        first = provider.send("key-before-restart", reference="notification-5")
        provider.restart()
        again = provider.send("key-before-restart", reference="notification-5")
        stored = provider.messages()
    finally:
        provider.stop()

    assert again.status_code == 202
    assert again.json()["message_id"] == first.json()["message_id"]
    assert [m["reference"] for m in stored] == ["notification-5"]
    assert len((tmp_path / "messages.jsonl").read_text().splitlines()) == 1


def test_erasing_forgets_messages_and_their_idempotency_keys(provider: Provider) -> None:
    first = provider.send("key-erased")

    provider.control("reset", {"erase": True})

    assert provider.messages() == []
    assert provider.send("key-erased").json()["message_id"] != first.json()["message_id"]


def test_the_log_names_message_ids_but_never_numbers_or_texts(
    provider: Provider, receiver: Receiver
) -> None:
    sent = provider.send(to="+6281277770001", text="Rahasia pelatihan", channel="whatsapp")
    provider.messages(to="+6281277770001")
    provider.control("inbound", {"from": "+6281277770002", "channel": "sms", "text": "Rahasia"})

    def log_naming_the_message() -> str | None:
        log = provider.log.read_text()
        return log if sent.json()["message_id"] in log else None

    log = stack.eventually(log_naming_the_message, timeout_s=3)
    assert "6281277770001" not in log and "6281277770002" not in log
    assert "Rahasia" not in log
