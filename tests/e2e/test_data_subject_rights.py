"""A client's rights over their data, end to end (UU 27/2022; docs/privacy.md).

One client with values no other test uses is taken through every service: registered,
consents for a referral (identity scope) and for SMS, referred, enrolled in a training,
messaged. Then: the export holds their data from client, referral, training and notify and
nothing of another client; a restricted client is messaged no more (suppressed, with the
reason); an erasure leaves, within 60 seconds, no value of theirs in any database or any
readable Kafka record, the ministry's figures unchanged, and the export answers 404.
"""

from __future__ import annotations

import json
import random
import string
import time
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from shared.messaging.watchdog import unread
from support import databases, stack
from support import training as tr
from support.people import new_worker, nik_for

pytestmark = pytest.mark.integration

CLIENT_API = f"http://127.0.0.1:{stack.SERVICE_PORTS['client']}"


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _canary_person() -> dict[str, Any]:
    tag = "".join(random.choices(string.ascii_lowercase, k=8))
    return new_worker(
        full_name=f"Hakdata Ujicoba {tag.capitalize()}",
        birth_date="1994-03-21",
        sex="F",
        nik=nik_for(date(1994, 3, 21), "F"),
        phone=f"+6281377{random.randrange(100_000, 999_999)}",
        email=f"hakdata+{tag}@example.test",
    )


@pytest.fixture(scope="module")
def person(gateway: httpx.Client, tokens: Any) -> dict[str, Any]:
    """The client, known to every service: consents, a referral, a training place, a message."""
    siti = _auth(tokens["siti"])
    body = _canary_person()
    since = stack.topic_end_offsets("client.events")
    client = gateway.post("/api/clients", json=body, headers=siti)
    assert client.status_code == 201, client.text
    client_id = client.json()["id"]
    for consent in (
        {"purpose": "notifications", "channels": ["sms"], "text_version": "notif-2026-01"},
        {
            "purpose": "referral",
            "partner_code": "bank-nusantara",
            "scope": ["contact", "identity"],
            "text_version": "ref-2026-01",
        },
    ):
        answer = gateway.post(f"/api/clients/{client_id}/consents", json=consent, headers=siti)
        assert answer.status_code == 201, answer.text
    referral = stack.eventually(
        lambda: (
            (
                a := gateway.post(
                    "/api/referrals",
                    json={
                        "client_id": client_id,
                        "partner_code": "bank-nusantara",
                        "product_code": "savings-basic",
                        "fee_sheet_version": "2026-01",
                    },
                    headers=siti,
                )
            ).status_code
            == 201
            and a.json()
        ),
        timeout_s=30,
    )
    programme = tr.programme(gateway, tokens["admin"])
    days, starts = tr.soon(hours=48)
    session_id = tr.session(gateway, tokens["siti"], programme, days=days, starts_at=starts)
    assert tr.enrol(gateway, tokens["siti"], session_id, client_id).status_code == 201
    stack.eventually(  # notify planned the welcome (SMS consent) and the referral's message
        lambda: (
            len(
                gateway.get(
                    "/api/notifications", params={"client_id": client_id}, headers=siti
                ).json()["items"]
            )
            >= 2
        ),
        timeout_s=30,
    )
    other = gateway.post("/api/clients", json=_canary_person(), headers=siti).json()
    return {
        **body,
        "id": client_id,
        "referral_id": referral["id"],
        "session_id": session_id,
        "other": other,
        "since": since,
    }


def test_the_export_holds_every_service_s_data_of_the_client_and_no_one_else_s(
    gateway: httpx.Client, tokens: Any, person: dict[str, Any]
) -> None:
    siti = _auth(tokens["siti"])
    answer = gateway.get(f"/api/clients/{person['id']}/export", headers=siti)
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    document = answer.json()
    assert document["client"]["nik"] == person["nik"]  # theirs, in clear
    assert document["client"]["full_name"] == person["full_name"]
    assert {c["purpose"] for c in document["consents"]} == {"notifications", "referral"}
    assert [r["id"] for r in document["referrals"]] == [person["referral_id"]]
    assert [t["session_id"] for t in document["trainings"]] == [person["session_id"]]
    assert document["notifications"] and all(
        n["client_id"] == person["id"] for n in document["notifications"]
    )
    text = answer.text
    assert person["other"]["id"] not in text and person["other"]["full_name"] not in text
    pdf = gateway.get(f"/api/clients/{person['id']}/export", params={"format": "pdf"}, headers=siti)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf.headers["content-type"] == "application/pdf"
    # Each export answered an access request, and is audited as an export.
    requests = gateway.get(f"/api/clients/{person['id']}/requests", headers=siti).json()["items"]
    assert [r["kind"] for r in requests].count("access") == 2
    audit = gateway.get(
        "/api/client/audit", params={"client_id": person["id"]}, headers=_auth(tokens["rina"])
    ).json()["items"]
    assert [a["purpose"] for a in audit].count("export") == 2


def test_another_region_can_neither_export_nor_erase(
    gateway: httpx.Client, tokens: Any, person: dict[str, Any]
) -> None:
    budi = _auth(tokens["budi"])
    assert gateway.get(f"/api/clients/{person['id']}/export", headers=budi).status_code == 404
    erase = gateway.post(f"/api/clients/{person['id']}/erasure", json={}, headers=budi)
    assert erase.status_code == 404
    assert (
        gateway.get(f"/api/clients/{person['id']}", headers=_auth(tokens["siti"])).status_code
        == 200
    )


def test_a_restricted_client_is_messaged_no_more_and_the_reason_says_why(
    gateway: httpx.Client, tokens: Any, person: dict[str, Any]
) -> None:
    siti = _auth(tokens["siti"])
    restricted = gateway.put(
        f"/api/clients/{person['id']}/restriction", json={"restricted": True}, headers=siti
    )
    assert restricted.status_code == 200 and restricted.json()["restricted"] is True
    referral = {
        "client_id": person["id"],
        "partner_code": "bank-nusantara",
        "product_code": "kur-mikro",
        "fee_sheet_version": "2026-01",
    }

    def refused() -> httpx.Response | None:
        answer = gateway.post("/api/referrals", json=referral, headers=siti)
        return answer if answer.status_code == 409 else None

    refusal = stack.eventually(refused, timeout_s=30)  # once the referral service heard
    assert refusal.json()["type"].endswith("/client-restricted"), refusal.text
    # A new event that would message the client: a place in another session.
    programme = tr.programme(gateway, tokens["admin"])
    days, starts = tr.soon(hours=72)
    session_id = tr.session(gateway, tokens["siti"], programme, days=days, starts_at=starts)

    def enrolment_messages() -> list[dict[str, Any]]:
        items = gateway.get(
            "/api/notifications", params={"client_id": person["id"]}, headers=siti
        ).json()["items"]
        return [n for n in items if n["template"] == "training_enrolled"]

    before = {n["id"] for n in enrolment_messages()}
    # The enrolment travels on another topic: let notify hear of the restriction first.
    stack.eventually(lambda: _notify_knows_restricted(person["id"]), timeout_s=60)
    assert tr.enrol(gateway, tokens["siti"], session_id, person["id"]).status_code == 201
    new = stack.eventually(
        lambda: [n for n in enrolment_messages() if n["id"] not in before], timeout_s=30
    )
    # One row per channel, every one held back for the restriction (SMS was consented).
    assert {(n["status"], n["reason"]) for n in new} == {("suppressed", "restricted")}
    assert "sms" in {n["channel"] for n in new}
    lifted = gateway.put(
        f"/api/clients/{person['id']}/restriction", json={"restricted": False}, headers=siti
    )
    assert lifted.status_code == 200 and lifted.json()["restricted"] is False


def _notify_knows_restricted(client_id: str) -> bool:
    engine = create_engine(stack.database_url("notify"))
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT set_config('jembatan.region', 'all', false)"))
            restricted = conn.execute(
                text("SELECT restricted FROM client_facts WHERE client_id = :id"), {"id": client_id}
            ).scalar_one_or_none()
    finally:
        engine.dispose()
    return bool(restricted)


def _indicators(gateway: httpx.Client, tokens: Any) -> Any:
    period = datetime.now(UTC).strftime("%Y-%m")
    answer = gateway.get(
        "/api/ministry/indicators",
        params={"period": period, "region": "32"},
        headers=_auth(tokens["ministry"]),
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def _indicators_caught_up() -> bool:
    """The indicators worker has committed every record of the topics it reads."""
    topics = ("client.events", "referral.events", "training.events")
    return unread(stack.KAFKA, "indicators", topics, stack.ADMIN) == 0


def _settled_indicators(gateway: httpx.Client, tokens: Any) -> Any:
    """The figures once the indicators worker has read everything published so far; the
    share of erasures confirmed in time is left out: it follows erasures by design (an erasure
    asked of a partner is what it counts), while every figure of people must not move."""
    stack.eventually(_indicators_caught_up, timeout_s=120, every_s=1)
    answer = _indicators(gateway, tokens)
    for row in (answer["total"], *answer["areas"]):
        row.pop("erasures_confirmed_in_time", None)
    return answer


def _differences(before: Any, after: Any, path: str = "") -> list[str]:
    """Where two answers differ, as paths (a readable failure)."""
    if isinstance(before, dict) and isinstance(after, dict):
        return [
            d
            for key in sorted(set(before) | set(after), key=str)
            for d in _differences(before.get(key), after.get(key), f"{path}.{key}")
        ]
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [
            d
            for i, (b, a) in enumerate(zip(before, after, strict=True))
            for d in _differences(b, a, f"{path}[{i}]")
        ]
    return [] if before == after else [f"{path}: {before!r} -> {after!r}"]


def _sealed_registration(client_id: str, since: dict[Any, int]) -> dict[str, Any]:
    with stack.reading("client.events", since) as consumer:
        records = stack.drain_until(
            consumer,
            lambda rs: any(
                r.key == client_id.encode()
                and dict(r.headers)["ce_type"] == b"jembatan.client.registered.v2"
                for r in rs
            ),
            timeout_s=60,
        )
    record = next(
        r
        for r in records
        if r.key == client_id.encode()
        and dict(r.headers)["ce_type"] == b"jembatan.client.registered.v2"
    )
    return dict(json.loads(record.value))


def test_an_erasure_leaves_nothing_of_the_client_within_a_minute_and_the_figures_unchanged(
    gateway: httpx.Client, tokens: Any, person: dict[str, Any]
) -> None:
    siti = _auth(tokens["siti"])
    needles = {
        "nik": person["nik"],
        "name": person["full_name"],
        "phone": person["phone"],
        "email": person["email"],
    }
    key_reader = _auth(stack.service_token("service-notify"))
    keys = httpx.post(
        f"{CLIENT_API}/internal/data-keys", json={"client_ids": [person["id"]]}, headers=key_reader
    )
    assert keys.status_code == 200 and person["id"] in keys.json()["keys"]
    before = _settled_indicators(gateway, tokens)

    erased = gateway.post(f"/api/clients/{person['id']}/erasure", json={}, headers=siti)
    assert erased.status_code == 200, erased.text
    assert erased.json()["request"]["kind"] == "erasure"
    started = time.monotonic()

    def nothing_left() -> bool:
        return databases.where_found(needles) == {}

    stack.eventually(nothing_left, timeout_s=60, every_s=2)
    assert time.monotonic() - started < 60
    # Kafka: the registration is still on the topic, sealed, and its key is gone.
    sealed = _sealed_registration(person["id"], person["since"])
    assert person["full_name"] not in json.dumps(sealed) and person["phone"] not in json.dumps(
        sealed
    )
    keys = httpx.post(
        f"{CLIENT_API}/internal/data-keys", json={"client_ids": [person["id"]]}, headers=key_reader
    )
    assert keys.json() == {"keys": {}, "missing": [person["id"]]}
    # The other services forgot the client too.
    assert gateway.get(f"/api/clients/{person['id']}", headers=siti).status_code == 404
    assert gateway.get(f"/api/clients/{person['id']}/export", headers=siti).status_code == 404
    trainings = gateway.get(f"/api/training/clients/{person['id']}/trainings", headers=siti)
    assert trainings.status_code == 404 or trainings.json().get("items") == []
    # The ministry's figures for the month are what they were.
    after = _settled_indicators(gateway, tokens)
    assert _differences(before, after) == []
    # The other client is untouched.
    assert gateway.get(f"/api/clients/{person['other']['id']}", headers=siti).status_code == 200


def test_only_our_own_services_read_data_keys(gateway: httpx.Client, tokens: Any) -> None:
    body = {"client_ids": ["00000000-0000-4000-8000-000000000001"]}
    for who in ("siti", "rina", "admin", "ministry", "bank-nusantara"):
        answer = httpx.post(
            f"{CLIENT_API}/internal/data-keys", json=body, headers=_auth(tokens[who])
        )
        assert answer.status_code == 403, who
    assert httpx.post(f"{CLIENT_API}/internal/data-keys", json=body).status_code == 401
    # Not routed by the gateway at all.
    assert (
        gateway.post("/internal/data-keys", json=body, headers=_auth(tokens["siti"])).status_code
        == 404
    )
