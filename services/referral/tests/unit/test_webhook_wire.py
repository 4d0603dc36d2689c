"""What a partner's webhook looks like on the wire (decision 0021): the CloudEvent body, the
SNAP headers and a signature the published key verifies; records that are no CloudEvent; and
the redrive of dead letters. HTTP runs through httpx's mock transport, no port is bound."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from uuid import UUID, uuid4

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from referral.adapters.webhooks import DeadLetter, HttpSender, cloudevent_body, delivery_of
from referral.domain.webhooks import Answer, Delivery, RetryPolicy
from referral.service_layer.webhooks import redrive
from shared import snap
from shared.contracts import partner as partner_contracts
from shared.messaging.envelope import Envelope

NOW = datetime(2026, 12, 7, 3, 55, tzinfo=UTC)
URL = "https://hooks.example.id/jembatan/events"
POLICY = RetryPolicy(attempts=2, first_pause_s=0.0)


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _withdrawal() -> Envelope:
    data = partner_contracts.ReferralWithdrawn.model_validate(
        partner_contracts.ReferralWithdrawn.EXAMPLE
    )
    return Envelope(
        type=data.TYPE,
        source=partner_contracts.SOURCE,
        subject=f"referral/{data.referral_id}",
        key=str(data.referral_id),
        data=data.to_data(),
        time=NOW,
    )


def _delivery(body: bytes = b'{"a":1}') -> Delivery:
    return Delivery("bank-nusantara", URL, uuid4(), "t", body, "partner.x.referrals", 0, 7)


def test_the_body_is_the_cloudevent_in_json() -> None:
    envelope = _withdrawal()
    body = cloudevent_body(envelope)
    document = json.loads(body)
    assert document == {
        "specversion": "1.0",
        "id": str(envelope.id),
        "source": "/services/referral",
        "type": "jembatan.partner.referral.withdrawn.v1",
        "subject": envelope.subject,
        "time": "2026-12-07T03:55:00Z",
        "datacontenttype": "application/json",
        "data": envelope.data,
    }
    assert snap.minify(body.decode()) == body.decode()  # already minified: signed as sent


def test_a_kafka_record_becomes_a_delivery_with_the_event_id() -> None:
    envelope = _withdrawal()
    key, value, headers = envelope.to_kafka()
    delivery = delivery_of(
        "bank-nusantara", URL, "partner.bank-nusantara.referrals", 2, 41, key, value, headers
    )
    assert delivery.event_id == envelope.id and delivery.problem is None
    assert delivery.event_type == "jembatan.partner.referral.withdrawn.v1"
    assert (delivery.partition, delivery.offset) == (2, 41)
    assert json.loads(delivery.body)["data"] == envelope.data


def test_a_record_that_is_no_cloudevent_is_parked_under_a_stable_id() -> None:
    first = delivery_of("p1", URL, "partner.p1.referrals", 0, 5, None, b"{}", [])
    again = delivery_of("p1", URL, "partner.p1.referrals", 0, 5, None, b"{}", [])
    assert first.problem is not None and first.problem.startswith("undecodable_")
    assert first.event_id == again.event_id


async def test_every_attempt_is_signed_afresh_and_verifies(key: rsa.RSAPrivateKey) -> None:
    seen: list[httpx.Request] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(500 if len(seen) == 1 else 200)

    times = iter([NOW, NOW.replace(second=30)])
    async with httpx.AsyncClient(transport=httpx.MockTransport(receiver)) as http:
        sender = HttpSender(http, key, clock=lambda: next(times))
        delivery = _delivery(cloudevent_body(_withdrawal()))
        assert await sender.send(delivery) == Answer(500)
        assert await sender.send(delivery) == Answer(200)
    first, second = seen
    assert first.headers["x-external-id"] == second.headers["x-external-id"]
    assert first.headers["x-external-id"] == str(delivery.event_id)
    assert first.headers["x-partner-id"] == "bank-nusantara"
    assert first.headers["content-type"] == "application/json"
    assert first.headers["x-timestamp"] == "2026-12-07T10:55:00+07:00"
    assert second.headers["x-timestamp"] == "2026-12-07T10:55:30+07:00"
    assert first.content == second.content == delivery.body
    for request in seen:
        snap.verify(
            request.headers["x-signature"],
            request.headers["x-timestamp"],
            request.method,
            request.url.path,
            request.content,
            [key.public_key()],
            NOW,
        )


async def test_no_answer_is_an_answer_without_a_status(key: rsa.RSAPrivateKey) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(down)) as http:
        answer = await HttpSender(http, key).send(_delivery())
    assert answer == Answer(None, "ConnectError") and answer.reason == "unreachable_ConnectError"


class FakeRedrives:
    def __init__(self, letters: list[tuple[DeadLetter, bytes | None]]) -> None:
        self.letters = letters
        self.parked: list[tuple[UUID, int, str]] = []
        self.delivered_ids: list[int] = []
        self.unasked_ids: list[tuple[int, str]] = []

    async def asked(self, limit: int = 50) -> list[tuple[DeadLetter, bytes | None]]:
        return self.letters[:limit]

    async def park(self, delivery: Delivery, attempts: int, reason: str) -> None:
        self.parked.append((delivery.event_id, attempts, reason))

    async def delivered(self, dead_letter_id: int) -> None:
        self.delivered_ids.append(dead_letter_id)

    async def unasked(self, dead_letter_id: int, reason: str) -> None:
        self.unasked_ids.append((dead_letter_id, reason))


def _letter(id_: int, partner: str) -> DeadLetter:
    return DeadLetter(
        id=id_,
        partner_code=partner,
        event_id=uuid4(),
        event_type="t",
        topic="x",
        partition=0,
        offset=id_,
        attempts=8,
        reason="http_500",
        parked_at=NOW,
        redrive_at=NOW,
        delivered_at=None,
        has_body=True,
    )


async def test_a_redrive_goes_to_the_partners_url_as_it_is_now() -> None:
    class Recorder:
        def __init__(self) -> None:
            self.urls: list[str] = []

        async def send(self, delivery: Delivery) -> Answer:
            self.urls.append(delivery.url)
            return Answer(200 if delivery.partner_code == "fixed" else 503)

    fixed, still_down = _letter(1, "fixed"), _letter(2, "down")
    gone, expired = _letter(3, "gone"), _letter(4, "fixed")
    store = FakeRedrives([(fixed, b"{}"), (still_down, b"{}"), (gone, b"{}"), (expired, None)])
    urls = {"fixed": "https://new.example.id/hook", "down": "https://down.example.id/hook"}
    sender = Recorder()

    async def no_pause(seconds: float) -> None:
        pass

    assert await redrive(store, urls, sender, POLICY, no_pause) == 1
    assert store.delivered_ids == [1]
    assert store.parked == [(still_down.event_id, 2, "http_503")]
    assert store.unasked_ids == [(3, "no_callback_url"), (4, "body_expired")]
    assert sender.urls[0] == "https://new.example.id/hook"
