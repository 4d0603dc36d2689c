"""A retried POST with the same Idempotency-Key gets the first answer and changes nothing."""

from __future__ import annotations

import hashlib
import json
import uuid

import httpx
import jwt
import pytest
from sqlalchemy import text

from shared.db import sync_engine
from support import stack
from support.people import new_worker
from support.referrals import consent_to_bank_nusantara, savings_referral

pytestmark = pytest.mark.integration


def test_a_retried_registration_replays_the_first_answer(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    key = str(uuid.uuid4())
    siti = {"Authorization": f"Bearer {tokens['siti']}", "Idempotency-Key": key}
    body = new_worker()
    first = gateway.post("/api/clients", json=body, headers=siti)
    retry = gateway.post("/api/clients", json=body, headers=siti)
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers.get("idempotent-replayed") == "true"
    assert "idempotent-replayed" not in first.headers

    other_body = gateway.post("/api/clients", json=new_worker(), headers=siti)
    assert other_body.status_code == 422
    assert other_body.json()["errors"][0]["field"] == "Idempotency-Key"

    # Without a key, the same request is a new one: this NIK is now registered.
    plain = {"Authorization": f"Bearer {tokens['siti']}"}
    assert gateway.post("/api/clients", json=body, headers=plain).status_code == 409


def test_keys_belong_to_their_caller(gateway: httpx.Client, tokens: dict[str, str]) -> None:
    key = str(uuid.uuid4())
    body = new_worker()
    siti = {"Authorization": f"Bearer {tokens['siti']}", "Idempotency-Key": key}
    assert gateway.post("/api/clients", json=body, headers=siti).status_code == 201
    rina = {"Authorization": f"Bearer {tokens['rina']}", "Idempotency-Key": key}
    again = gateway.post("/api/clients", json=body, headers=rina)
    assert again.status_code == 409  # rina's own request, run for real: the NIK exists
    assert "idempotent-replayed" not in again.headers


def test_a_revealed_nik_is_never_kept_for_replay(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    body = new_worker()
    plain = {"Authorization": f"Bearer {tokens['siti']}"}
    client_id = gateway.post("/api/clients", json=body, headers=plain).json()["id"]
    keyed = {**plain, "Idempotency-Key": str(uuid.uuid4())}
    answers = [
        gateway.post(f"/api/clients/{client_id}/nik/reveal", headers=keyed) for _ in range(2)
    ]
    assert [a.json()["nik"] for a in answers] == [body["nik"], body["nik"]]
    assert all(a.headers["cache-control"] == "no-store" for a in answers)
    assert all("idempotent-replayed" not in a.headers for a in answers)  # each one ran, audited

    engine = sync_engine(stack.database_url("client"))
    with engine.connect() as conn:
        kept = conn.execute(
            text(
                "SELECT count(*) FROM idempotency_keys"
                " WHERE position(convert_to(:nik, 'UTF8') IN body) > 0"
            ),
            {"nik": body["nik"]},
        ).scalar()
    engine.dispose()
    assert kept == 0


def _reserve(key: str, subject: str, body: bytes, age_s: int, *, applied: bool = False) -> None:
    """A reservation left by a first request that never answered, `age_s` seconds ago (and
    whose effect was committed, when `applied`)."""
    digest = hashlib.sha256(
        json.dumps(["/api/clients", "application/json"]).encode() + body
    ).hexdigest()
    engine = sync_engine(stack.database_url("client"))
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO idempotency_keys (principal, key, request_hash, created_at,"
                " applied_at) VALUES (:p, :k, :h, now() - make_interval(secs => :age),"
                " CASE WHEN :applied THEN now() - make_interval(secs => :age) END)"
            ),
            {"p": subject, "k": key, "h": digest, "age": age_s, "applied": applied},
        )
    engine.dispose()


def test_a_retry_takes_the_place_of_a_first_request_that_died(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    subject = jwt.decode(tokens["siti"], options={"verify_signature": False})["sub"]
    body = json.dumps(new_worker()).encode()
    headers = {"Authorization": f"Bearer {tokens['siti']}", "Content-Type": "application/json"}
    running, dead = str(uuid.uuid4()), str(uuid.uuid4())
    _reserve(running, subject, body, age_s=30)  # may still be running: wait
    _reserve(dead, subject, body, age_s=200)  # past any request's time: it died
    waiting = gateway.post(
        "/api/clients", content=body, headers={**headers, "Idempotency-Key": running}
    )
    assert waiting.status_code == 409 and waiting.json()["type"].endswith("in-progress")
    retried = gateway.post(
        "/api/clients", content=body, headers={**headers, "Idempotency-Key": dead}
    )
    assert retried.status_code == 201, retried.text
    replayed = gateway.post(
        "/api/clients", content=body, headers={**headers, "Idempotency-Key": dead}
    )
    assert replayed.status_code == 201 and replayed.headers.get("idempotent-replayed") == "true"


def test_a_first_request_that_died_after_its_effect_is_never_run_again(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    subject = jwt.decode(tokens["siti"], options={"verify_signature": False})["sub"]
    body = json.dumps(new_worker()).encode()
    headers = {"Authorization": f"Bearer {tokens['siti']}", "Content-Type": "application/json"}
    key = str(uuid.uuid4())
    _reserve(key, subject, body, age_s=200, applied=True)  # committed, then its process died
    for _ in range(2):
        retried = gateway.post(
            "/api/clients", content=body, headers={**headers, "Idempotency-Key": key}
        )
        assert retried.status_code == 409, retried.text
        assert retried.json()["type"].endswith("/answer-lost")


def test_a_refusal_is_not_replayed_the_retry_is_asked_afresh(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    siti = {"Authorization": f"Bearer {tokens['siti']}"}
    client = gateway.post("/api/clients", json=new_worker(), headers=siti).json()
    keyed = {**siti, "Idempotency-Key": str(uuid.uuid4())}
    referral = savings_referral(client["id"])
    refused = gateway.post("/api/referrals", json=referral, headers=keyed)
    assert refused.status_code in (404, 409)  # no consent yet (or not even the client)
    consent = consent_to_bank_nusantara(gateway, siti, client["id"])
    assert consent.status_code == 201
    sent = stack.eventually(
        lambda: (
            answer
            if (answer := gateway.post("/api/referrals", json=referral, headers=keyed)).status_code
            == 201
            else None
        )
    )
    assert "idempotent-replayed" not in sent.headers  # it ran
    again = gateway.post("/api/referrals", json=referral, headers=keyed)
    assert again.status_code == 201 and again.headers.get("idempotent-replayed") == "true"
    assert again.json()["id"] == sent.json()["id"]
