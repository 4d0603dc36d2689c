"""A partner without Kafka takes its events as signed webhooks, over the real stack: the
referral relay writes the partner's topic, the `referral-webhooks` dispatcher reads it and
POSTs each event signed (SNAP's asymmetric notification signature, docs/partners.md), and the
stand-in bank (infra/partnerhook, port 8110) verifies every signature with the key the API
publishes, with its own code written from the docs."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from shared import snap
from support import stack
from support.referrals import client_with_consent, partner_body, refer

pytestmark = pytest.mark.integration

RECEIVER = "http://127.0.0.1:8110"
OFFERED = "jembatan.partner.referral.offered.v2"
WITHDRAWN = "jembatan.partner.referral.withdrawn.v1"


def _auth(tokens: dict[str, str], who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[who]}"}


@pytest.fixture
def code(gateway: httpx.Client, tokens: dict[str, str]) -> Iterator[str]:
    """A partner of this test's own, with a callback URL at the stand-in; removed after."""
    code = f"bpr-hook-{uuid.uuid4().hex[:6]}"
    body = partner_body(gateway, tokens, "bank-nusantara") | {
        "name": f"BPR Uji {code}",
        "callback_url": f"{RECEIVER}/hooks/{code}",
    }
    put = gateway.put(f"/api/partners/{code}", json=body, headers=_auth(tokens, "admin"))
    assert put.status_code == 200 and put.json()["status"] == "active", put.text
    assert put.json()["callback_url"] == f"{RECEIVER}/hooks/{code}"
    httpx.post(f"{RECEIVER}/_control/reset", json={}).raise_for_status()
    yield code
    httpx.post(f"{RECEIVER}/_control/reset", json={}).raise_for_status()
    gateway.delete(f"/api/partners/{code}", headers=_auth(tokens, "admin"))


def _received(code: str, event_type: str | None = None) -> list[dict[str, Any]]:
    params = {"partner": code} | ({"type": event_type} if event_type else {})
    answer = httpx.get(f"{RECEIVER}/_control/deliveries", params=params).raise_for_status()
    return list(answer.json()["items"])


def _counts() -> dict[str, int]:
    return dict(httpx.get(f"{RECEIVER}/_control/attempts").raise_for_status().json())


def _of(referral_id: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [i for i in items if i["event"]["data"]["referral_id"] == referral_id]


def _post(code: str, external_id: str, body: bytes, *, sign_body: bytes | None = None) -> Any:
    """A delivery as the dispatcher makes it, signed with the development key."""
    at = snap.timestamp(datetime.now(UTC))
    key = snap.dev_key(stack.CACHE / "referral" / "dev-only-webhook-signing-key.pem")
    path = f"/hooks/{code}"
    return httpx.post(
        f"{RECEIVER}{path}",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-TIMESTAMP": at,
            "X-SIGNATURE": snap.sign(key, "POST", path, sign_body or body, at),
            "X-PARTNER-ID": code,
            "X-EXTERNAL-ID": external_id,
        },
    )


def test_each_offer_reaches_the_partner_signed_once_even_after_three_failures(
    gateway: httpx.Client, tokens: dict[str, str], code: str
) -> None:
    # The stand-in answers 500 to the next three deliveries, as a bank's endpoint in trouble.
    failing = httpx.post(f"{RECEIVER}/_control/fail", json={"status": 500, "times": 3})
    failing.raise_for_status()
    client = client_with_consent(gateway, tokens, ["contact"], partner=code)
    sent = refer(gateway, tokens, client["id"], partner=code)
    assert sent.status_code == 201, sent.text
    referral_id = sent.json()["id"]

    offers = stack.eventually(lambda: _of(referral_id, _received(code, OFFERED)), timeout_s=90)
    assert len(offers) == 1  # one record: accepted on the fourth try, never twice
    counts = _counts()
    assert counts["failed"] == 3 and counts["accepted"] == 1 and counts["refused"] == 0
    offer = offers[0]
    # The event as on the topic: its id is the idempotency key, its data the offer (no person).
    assert offer["external_id"] == offer["event"]["id"]
    assert offer["event"]["type"] == OFFERED and offer["event"]["specversion"] == "1.0"
    assert offer["event"]["data"]["applicant_url"].endswith(f"/{referral_id}/applicant")
    assert "full_name" not in json.dumps(offer["event"])

    # What the platform originates itself is signed too: the withdrawal.
    siti = _auth(tokens, "siti")
    assert gateway.post(f"/api/referrals/{referral_id}/withdraw", headers=siti).status_code == 200
    withdrawn = stack.eventually(lambda: _of(referral_id, _received(code, WITHDRAWN)))
    assert len(withdrawn) == 1 and _counts()["refused"] == 0

    # A replay of the same event id has no second effect at the partner.
    body = json.dumps(offer["event"], ensure_ascii=False, separators=(",", ":")).encode()
    replay = _post(code, offer["external_id"], body)
    assert replay.status_code == 200 and replay.json() == {"status": "duplicate"}
    assert len(_of(referral_id, _received(code, OFFERED))) == 1

    # A delivery whose body was changed after signing is refused by the partner's check.
    forged = body.replace(b"savings-basic", b"kur-mikro")
    assert forged != body
    refused = _post(code, str(uuid.uuid4()), forged, sign_body=body)
    assert refused.status_code == 401
    assert refused.json() == {"error": "invalid_signature", "reason": "wrong_signature"}
    assert _counts()["refused"] == 1 and len(_received(code)) == 2


def test_a_partner_down_for_good_is_parked_and_redriven_by_the_operator(
    gateway: httpx.Client, tokens: dict[str, str], code: str
) -> None:
    httpx.post(f"{RECEIVER}/_control/fail", json={"status": 503, "times": None}).raise_for_status()
    quick = {"REFERRAL_WEBHOOK_ATTEMPTS": "2", "REFERRAL_WEBHOOK_FIRST_PAUSE_SECONDS": "0.2"}
    with stack.restarted_with(("referral-webhooks",), quick):
        client = client_with_consent(gateway, tokens, ["contact"], partner=code)
        sent = refer(gateway, tokens, client["id"], partner=code)
        assert sent.status_code == 201, sent.text
        referral_id = sent.json()["id"]
        parked = stack.eventually(lambda: stack.jembatan("webhooks", "dead-letters", "-p", code))
        assert [(d["event_type"], d["attempts"], d["reason"]) for d in parked] == [
            (OFFERED, 2, "http_503")
        ]
        assert _received(code) == []
        # The bank is back; the operator hands the dead letter back to the dispatcher.
        httpx.post(f"{RECEIVER}/_control/reset", json={}).raise_for_status()
        assert stack.jembatan("webhooks", "redrive", "-p", code) == {"asked": 1}
        offers = stack.eventually(lambda: _of(referral_id, _received(code, OFFERED)), 60)
        assert len(offers) == 1
        assert stack.jembatan("webhooks", "dead-letters", "-p", code) == []
