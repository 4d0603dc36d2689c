"""The stand-in partner (infra/partnerhook) in-process, no port bound: it verifies every
delivery with the published recipe, refuses a wrong one, absorbs a replay, and can fail on
purpose. The referral dispatcher's own sender and retry policy drive it, so the acceptance
cases of issue 20 item 4 run here against the real signer and the stand-in's own verifier."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.testclient import TestClient

from referral.adapters.webhooks import HttpSender, cloudevent_body
from referral.domain.webhooks import Delivery, RetryPolicy
from referral.service_layer.webhooks import deliver
from shared import snap
from shared.contracts import partner as partner_contracts
from shared.messaging.envelope import Envelope

ROOT = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 12, 7, 3, 55, tzinfo=UTC)
URL = "http://127.0.0.1:8110/hooks/bank-nusantara"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "partnerhook_server", ROOT / "infra" / "partnerhook" / "server.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


server = _load()


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def settings(tmp_path: Path, key: rsa.RSAPrivateKey) -> Any:
    public = tmp_path / "jembatan-webhook.pem"
    public.write_text(snap.public_pem(key))
    return server.Settings.from_env(
        {
            "PARTNERHOOK_PUBLIC_KEY_FILE": str(public),
            "PARTNERHOOK_STATE": str(tmp_path / "deliveries.jsonl"),
        }
    )


@pytest.fixture
def app(settings: Any) -> Any:
    return server.create_app(settings, clock=lambda: NOW)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://127.0.0.1:8110") as test_client:
        yield test_client


def _offer() -> Delivery:
    data = partner_contracts.ReferralOfferedV2.model_validate(
        partner_contracts.ReferralOfferedV2.EXAMPLE
    )
    envelope = Envelope(
        type=data.TYPE,
        source=partner_contracts.SOURCE,
        subject=f"referral/{data.referral_id}",
        key=str(data.referral_id),
        data=data.to_data(),
        time=NOW,
    )
    return Delivery(
        partner_code="bank-nusantara",
        url=URL,
        event_id=envelope.id,
        event_type=envelope.type,
        body=cloudevent_body(envelope),
        topic="partner.bank-nusantara.referrals",
        partition=0,
        offset=0,
    )


def _signed(key: rsa.RSAPrivateKey, delivery: Delivery, at: datetime = NOW) -> dict[str, str]:
    return HttpSender(httpx.AsyncClient(), key, clock=lambda: at).headers(delivery)


def _post(client: TestClient, delivery: Delivery, headers: dict[str, str]) -> httpx.Response:
    return client.post("/hooks/bank-nusantara", content=delivery.body, headers=headers)


def test_a_signed_delivery_is_accepted_and_recorded(
    client: TestClient, key: rsa.RSAPrivateKey
) -> None:
    delivery = _offer()
    answer = _post(client, delivery, _signed(key, delivery))
    assert answer.status_code == 200 and answer.json() == {"status": "accepted"}
    items = client.get("/_control/deliveries?partner=bank-nusantara").json()["items"]
    assert [i["external_id"] for i in items] == [str(delivery.event_id)]
    assert items[0]["type"] == "jembatan.partner.referral.offered.v2"
    assert items[0]["event"]["data"]["applicant_kind"] == "worker"


def test_a_replay_answers_200_and_has_no_second_effect(
    client: TestClient, key: rsa.RSAPrivateKey
) -> None:
    delivery = _offer()
    headers = _signed(key, delivery)
    assert _post(client, delivery, headers).json() == {"status": "accepted"}
    later = _signed(key, delivery, NOW + timedelta(seconds=40))  # a retry, signed afresh
    again = _post(client, delivery, later)
    assert again.status_code == 200 and again.json() == {"status": "duplicate"}
    assert len(client.get("/_control/deliveries").json()["items"]) == 1
    assert client.get("/_control/attempts").json()["duplicate"] == 1


def test_a_replay_is_recognised_after_a_restart(settings: Any, key: rsa.RSAPrivateKey) -> None:
    delivery = _offer()
    with TestClient(server.create_app(settings, clock=lambda: NOW)) as first:
        _post(first, delivery, _signed(key, delivery))
    with TestClient(server.create_app(settings, clock=lambda: NOW)) as second:
        assert _post(second, delivery, _signed(key, delivery)).json()["status"] == "duplicate"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"x-signature": None}, "missing"),
        ({"x-timestamp": None}, "missing"),
        ({"x-signature": "bm90IGEgc2lnbmF0dXJl"}, "wrong_signature"),
        ({"x-timestamp": "2026-12-07T10:55:01+07:00"}, "wrong_signature"),
        ({"x-timestamp": "2026-12-07T10:40:00+07:00"}, "stale"),
        ({"x-signature": "%%%"}, "malformed"),
    ],
)
def test_a_wrong_or_missing_signature_is_refused(
    client: TestClient, key: rsa.RSAPrivateKey, change: dict[str, str | None], reason: str
) -> None:
    delivery = _offer()
    signed = {name.lower(): value for name, value in _signed(key, delivery).items()}
    headers: dict[str, Any] = signed | change
    answer = _post(client, delivery, {k: v for k, v in headers.items() if v is not None})
    assert answer.status_code == 401
    assert answer.json() == {"error": "invalid_signature", "reason": reason}
    assert client.get("/_control/deliveries").json()["items"] == []


def test_a_changed_body_or_another_signer_is_refused(
    client: TestClient, key: rsa.RSAPrivateKey
) -> None:
    delivery = _offer()
    headers = _signed(key, delivery)
    tampered = delivery.body.replace(b"savings-basic", b"kur-mikro")
    assert (
        client.post("/hooks/bank-nusantara", content=tampered, headers=headers).status_code == 401
    )
    intruder = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert _post(client, delivery, _signed(intruder, delivery)).status_code == 401
    assert client.get("/_control/attempts").json()["refused"] == 2


def test_a_reindented_body_still_verifies(client: TestClient, key: rsa.RSAPrivateKey) -> None:
    delivery = _offer()
    headers = _signed(key, delivery)
    pretty = json.dumps(json.loads(delivery.body), indent=2, ensure_ascii=False).encode()
    answer = client.post("/hooks/bank-nusantara", content=pretty, headers=headers)
    assert answer.json() == {"status": "accepted"}


def test_another_partners_delivery_is_refused_on_this_path(
    client: TestClient, key: rsa.RSAPrivateKey
) -> None:
    delivery = _offer()
    headers = _signed(key, delivery) | {"X-PARTNER-ID": "dompet-rakyat"}  # the same name
    assert _post(client, delivery, headers).status_code == 400


async def test_three_500s_then_the_event_arrives_on_the_fourth_try(
    app: Any, key: rsa.RSAPrivateKey
) -> None:
    """The dispatcher's own policy and sender against the stand-in in fail mode."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8110") as http:
        assert (await http.post("/_control/fail", json={"status": 500, "times": 3})).is_success
        parked: list[tuple[Delivery, int, str]] = []

        class DeadLetters:
            async def park(self, delivery: Delivery, attempts: int, reason: str) -> None:
                parked.append((delivery, attempts, reason))

        async def no_pause(seconds: float) -> None:
            pass

        delivery = _offer()
        policy = RetryPolicy(attempts=4, first_pause_s=0.01)
        outcome = await deliver(
            delivery, HttpSender(http, key, clock=lambda: NOW), DeadLetters(), policy, no_pause
        )
        assert outcome.delivered and outcome.attempts == 4 and parked == []
        attempts = (await http.get("/_control/attempts")).json()
        assert attempts == {"accepted": 1, "duplicate": 0, "refused": 0, "failed": 3}
        items = (await http.get("/_control/deliveries")).json()["items"]
        assert [i["external_id"] for i in items] == [str(delivery.event_id)]


async def test_a_receiver_that_refuses_every_signature_gets_a_dead_letter(
    settings: Any, tmp_path: Path, key: rsa.RSAPrivateKey
) -> None:
    """Jembatan signs with a key the partner does not hold: 401 is final, parked at once."""
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    app = server.create_app(settings, clock=lambda: NOW)
    transport = httpx.ASGITransport(app=app)
    parked: list[str] = []

    class DeadLetters:
        async def park(self, delivery: Delivery, attempts: int, reason: str) -> None:
            parked.append(f"{attempts}:{reason}")

    async with httpx.AsyncClient(transport=transport) as http:
        outcome = await deliver(
            _offer(), HttpSender(http, other, clock=lambda: NOW), DeadLetters(), RetryPolicy()
        )
    assert not outcome.delivered and parked == ["1:http_401"]


def test_the_keys_can_be_fetched_from_the_referral_api(
    tmp_path: Path, key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    published = {
        "keys": [
            {
                "key_id": snap.key_id(key),
                "algorithm": "SHA256withRSA",
                "public_key_pem": snap.public_pem(key),
            }
        ]
    }
    fetched: list[str] = []

    def referral_api(request: httpx.Request) -> httpx.Response:
        fetched.append(str(request.url))
        return httpx.Response(200, json=published)

    real_client = httpx.AsyncClient

    def mocked(**options: Any) -> httpx.AsyncClient:
        return real_client(transport=httpx.MockTransport(referral_api), **options)

    monkeypatch.setattr(server.httpx, "AsyncClient", mocked)
    settings = server.Settings.from_env({"PARTNERHOOK_STATE": str(tmp_path / "d.jsonl")})
    delivery = _offer()
    with TestClient(server.create_app(settings, clock=lambda: NOW)) as client:
        assert _post(client, delivery, _signed(key, delivery)).json()["status"] == "accepted"
        second = _offer()
        assert _post(client, second, _signed(key, second)).json()["status"] == "accepted"
    assert fetched == ["http://127.0.0.1:8102/api/partner/webhook-key"]  # fetched once


def test_fail_mode_and_reset(client: TestClient) -> None:
    assert client.post("/_control/fail", json={"status": 200}).status_code == 422
    assert client.post("/_control/fail", json={"times": 0}).status_code == 422
    assert client.post("/_control/fail", json={"status": 503, "times": 1}).status_code == 200
    assert client.post("/hooks/bank-nusantara", content=b"{}").status_code == 503
    assert client.post("/hooks/bank-nusantara", content=b"{}").status_code == 401
    assert client.post("/_control/reset", json={"erase": True}).json() == {"erased": True}
    assert client.get("/_control/attempts").json() == dict.fromkeys(
        ("accepted", "duplicate", "refused", "failed"), 0
    )


def test_minify_matches_the_signers(settings: Any) -> None:
    text = '{ "a" : "x \\" y" ,\n "b": [1, 2], "c": "\\\\" }'
    assert server.minify(text) == snap.minify(text) == '{"a":"x \\" y","b":[1,2],"c":"\\\\"}'
