"""A retried POST with the same Idempotency-Key gets the first answer and changes nothing."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import text

from shared.db import sync_engine
from support import stack
from support.people import new_worker

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
