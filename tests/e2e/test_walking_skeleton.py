"""One registration crosses the platform: gateway → client API → outbox → relay → Kafka → notify
(which welcomes the client once they consent to notifications)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from shared.db import sync_engine
from support import stack
from support.people import new_worker

pytestmark = pytest.mark.integration


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _notifications_for(event_id: str) -> list[Any]:
    engine = sync_engine(stack.database_url("notify"))
    try:
        with engine.connect() as conn:
            return list(
                conn.execute(
                    text("SELECT id, template, status FROM notifications WHERE event_id = :e"),
                    {"e": event_id},
                )
            )
    finally:
        engine.dispose()


def test_a_registration_reaches_kafka_as_a_cloudevent_and_notify_acts_once(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    since = stack.topic_end_offsets("client.events")
    body = new_worker()
    response = gateway.post("/api/clients", json=body, headers=_bearer(tokens["siti"]))
    assert response.status_code == 201, response.text
    client = response.json()
    assert "*" in client["nik"] and len(client["nik"]) == 16

    def registration(records: list[Any]) -> Any:
        # A random test person may resemble an earlier one: its duplicate flag rides along.
        return next(
            (
                r
                for r in records
                if r.key == client["id"].encode()
                and dict(r.headers)["ce_type"] == b"jembatan.client.registered.v2"
            ),
            None,
        )

    with stack.reading("client.events", since) as consumer:
        records = stack.drain_until(consumer, lambda rs: registration(rs) is not None)
    record = registration(records)
    headers = {name: value.decode() for name, value in record.headers}
    assert headers["ce_type"] == "jembatan.client.registered.v2"
    assert headers["ce_source"] == "/services/client"
    assert headers["ce_subject"] == f"client/{client['id']}"
    assert headers["ce_specversion"] == "1.0" and headers["ce_id"]
    assert headers["traceparent"].startswith("00-")
    assert [name for name, _ in record.headers].count("traceparent") == 1
    assert headers["content-type"] == "application/json"
    assert b'"nik"' not in record.value  # the internal topic never carries a NIK
    # ...nor a person's values in clear: they are sealed under the client's own key
    value = json.loads(record.value)
    assert value["sealed"].startswith("s1.")
    for personal in ("full_name", "birth_date", "contact", "disability", "sex"):
        assert personal not in value
    assert body["full_name"].encode() not in record.value
    assert body["phone"].encode() not in record.value

    # notify learns the client from the registration and welcomes them once they consent
    since = stack.topic_end_offsets("client.events")
    consent = gateway.post(
        f"/api/clients/{client['id']}/consents",
        json={"purpose": "notifications", "channels": ["sms"], "text_version": "notif-2026-01"},
        headers=_bearer(tokens["siti"]),
    )
    assert consent.status_code == 201, consent.text
    with stack.reading("client.events", since) as consumer:
        records = stack.drain_until(
            consumer, lambda rs: any(consent.json()["id"].encode() in r.value for r in rs)
        )
    granted = next(r for r in records if consent.json()["id"].encode() in r.value)
    granted_id = dict(granted.headers)["ce_id"].decode()
    rows = stack.eventually(lambda: _notifications_for(granted_id))
    assert len(rows) == 3 and {r.template for r in rows} == {"client_registered"}  # a channel each

    listed = gateway.get(
        "/api/notifications", params={"client_id": client["id"]}, headers=_bearer(tokens["siti"])
    )
    assert listed.status_code == 200
    assert {n["event_id"] for n in listed.json()["items"]} == {granted_id}


def test_a_client_is_visible_in_its_region_and_404_elsewhere(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    created = gateway.post("/api/clients", json=new_worker(), headers=_bearer(tokens["siti"]))
    assert created.status_code == 201, created.text
    path = f"/api/clients/{created.json()['id']}"

    assert gateway.get(path, headers=_bearer(tokens["siti"])).status_code == 200
    assert gateway.get(path, headers=_bearer(tokens["rina"])).status_code == 200  # province 32
    outside = gateway.get(path, headers=_bearer(tokens["budi"]))  # Surabaya
    assert outside.status_code == 404
    assert created.json()["id"] not in outside.text

    listing = gateway.get("/api/clients", params={"limit": 200}, headers=_bearer(tokens["budi"]))
    assert all(c["region_code"].startswith("3578") for c in listing.json()["items"])


def test_every_read_of_a_record_is_audited(gateway: httpx.Client, tokens: dict[str, str]) -> None:
    created = gateway.post("/api/clients", json=new_worker(), headers=_bearer(tokens["siti"]))
    client_id = created.json()["id"]
    gateway.get(f"/api/clients/{client_id}", headers=_bearer(tokens["siti"]))
    gateway.get(f"/api/clients/{client_id}", headers=_bearer(tokens["budi"]))  # refused: no row

    engine = sync_engine(stack.database_url("client"))
    with engine.connect() as conn:
        readers = (
            conn.execute(
                text("SELECT actor_username FROM record_reads WHERE record_id = :id"),
                {"id": client_id},
            )
            .scalars()
            .all()
        )
    engine.dispose()
    assert readers == ["siti"]


def test_bad_input_is_a_422_naming_the_field_and_leaves_nothing(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    body = new_worker()
    wrong_birth = {**body, "birth_date": "1950-01-01"}
    response = gateway.post("/api/clients", json=wrong_birth, headers=_bearer(tokens["siti"]))
    assert response.status_code == 422
    problem = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert problem["errors"][0]["field"] == "birth_date"
    assert body["nik"] not in response.text

    # Nothing half-written: the same NIK with the right birth date registers fine.
    assert (
        gateway.post("/api/clients", json=body, headers=_bearer(tokens["siti"])).status_code == 201
    )
    again = gateway.post("/api/clients", json=body, headers=_bearer(tokens["siti"]))
    assert again.status_code == 409
    assert again.json()["existing_client_id"]
    elsewhere = gateway.post(
        "/api/clients", json={**body, "region_code": "3578"}, headers=_bearer(tokens["budi"])
    )
    assert elsewhere.status_code == 409
    assert "existing_client_id" not in elsewhere.json()


def test_registering_outside_ones_region_is_refused(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    response = gateway.post(
        "/api/clients", json=new_worker(region_code="3578"), headers=_bearer(tokens["siti"])
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "region_code", "message": "lies outside your region"}
    ]
