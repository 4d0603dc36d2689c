"""Client intake through the gateway: personal data kept safe, consent events, the timeline."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from shared.db import sync_engine
from support import stack
from support.people import new_worker

pytestmark = pytest.mark.integration


def _auth(tokens: dict[str, str], who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[who]}"}


def _register(gateway: httpx.Client, tokens: dict[str, str], **overrides: Any) -> dict[str, Any]:
    body = new_worker(**overrides)
    answer = gateway.post("/api/clients", json=body, headers=_auth(tokens, "siti"))
    assert answer.status_code == 201, answer.text
    return {**answer.json(), "_nik": body["nik"], "_phone": body["phone"]}


def _sql(query: str, **params: Any) -> list[Any]:
    engine = sync_engine(stack.database_url("client"))
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(query), params))
    finally:
        engine.dispose()


def test_the_database_holds_no_nik_in_plain_text(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    client = _register(gateway, tokens)
    nik = client["_nik"]
    rows = _sql("SELECT row_to_json(c)::text AS doc FROM clients c WHERE id = :id", id=client["id"])
    assert len(rows) == 1 and nik not in rows[0].doc
    anywhere = _sql(
        "SELECT count(*) AS n FROM clients c WHERE row_to_json(c)::text LIKE :pattern",
        pattern=f"%{nik}%",
    )
    assert anywhere[0].n == 0
    ciphertext = _sql("SELECT nik_ciphertext FROM clients WHERE id = :id", id=client["id"])
    assert nik.encode() not in bytes(ciphertext[0].nik_ciphertext)


def test_answers_never_echo_the_nik_unless_it_is_explicitly_revealed(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    client = _register(gateway, tokens)
    nik, auth = client["_nik"], _auth(tokens, "siti")
    answers = [
        gateway.get(f"/api/clients/{client['id']}", headers=auth),
        gateway.get("/api/clients", params={"nik": nik}, headers=auth),
        gateway.post("/api/clients", json={**new_worker(), "nik": nik}, headers=auth),  # 409/422
        gateway.post("/api/clients", json={**new_worker(), "nik": nik + "1"}, headers=auth),
    ]
    assert [a.status_code for a in answers][:2] == [200, 200]
    assert answers[1].json()["items"][0]["id"] == client["id"]
    for answer in answers:
        assert nik not in answer.text

    revealed = gateway.post(f"/api/clients/{client['id']}/nik/reveal", headers=auth)
    assert revealed.status_code == 200 and revealed.json() == {"nik": nik}
    purposes = _sql(
        "SELECT purpose FROM record_reads WHERE record_id = :id ORDER BY id", id=client["id"]
    )
    assert [p.purpose for p in purposes] == ["case_management", "search", "reveal_nik"]
    budi = gateway.post(f"/api/clients/{client['id']}/nik/reveal", headers=_auth(tokens, "budi"))
    assert budi.status_code == 404


def test_a_nik_from_a_region_that_no_longer_exists_is_registered_with_a_warning(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    body = new_worker()
    old_sorong = "927101" + body["nik"][6:]  # Kota Sorong's code before Papua Barat Daya
    answer = gateway.post(
        "/api/clients", json={**body, "nik": old_sorong}, headers=_auth(tokens, "siti")
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["nik_warnings"] == ["nik_region_unknown"]


def test_search_finds_by_exact_nik_by_phone_in_any_form_and_by_name(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    client = _register(gateway, tokens, full_name="Sulastri Wahyuningsih")
    auth = _auth(tokens, "siti")
    local_phone = "0" + client["_phone"].removeprefix("+62")
    for params in (
        {"nik": client["_nik"]},
        {"phone": local_phone},
        {"phone": client["_phone"]},
        {"q": "wahyuningsih"},
        {"q": "Sulastri Wahyuningsi"},  # a typo still matches (trigram similarity)
    ):
        found = gateway.get("/api/clients", params={**params, "limit": 200}, headers=auth)
        assert found.status_code == 200, params
        assert client["id"] in [c["id"] for c in found.json()["items"]], params
    elsewhere = gateway.get(
        "/api/clients", params={"nik": client["_nik"]}, headers=_auth(tokens, "budi")
    )
    assert elsewhere.json()["items"] == []


def test_withdrawing_consent_publishes_exactly_one_withdrawal(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    client = _register(gateway, tokens)
    auth = _auth(tokens, "siti")
    since = stack.topic_end_offsets("client.events")
    granted = gateway.post(
        f"/api/clients/{client['id']}/consents",
        json={
            "purpose": "referral",
            "partner_code": "bank-nusantara",
            "scope": ["contact", "identity"],
            "text_version": "referral-id-2026-01",
        },
        headers=auth,
    )
    assert granted.status_code == 201, granted.text
    consent_id = granted.json()["id"]
    path = f"/api/clients/{client['id']}/consents/{consent_id}"
    assert gateway.delete(path, headers=auth).status_code == 200
    assert gateway.delete(path, headers=auth).status_code == 409

    def withdrawals(records: list[Any]) -> list[Any]:
        return [
            r
            for r in records
            if dict(r.headers)["ce_type"] == b"jembatan.consent.withdrawn.v1"
            and consent_id.encode() in r.value
        ]

    with stack.reading("client.events", since) as consumer:
        records = stack.drain_until(consumer, lambda rs: bool(withdrawals(rs)))
        time.sleep(3)  # anything sent twice would arrive by now
        records += stack.drain_until(consumer, lambda rs: True, timeout_s=1)
    assert len(withdrawals(records)) == 1
    assert withdrawals(records)[0].key == client["id"].encode()

    history = gateway.get(f"/api/clients/{client['id']}/consents", headers=auth).json()["items"]
    assert [(c["id"], c["live"]) for c in history] == [(consent_id, False)]


def test_the_timeline_shows_another_services_events_within_seconds(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    client = _register(gateway, tokens)
    auth = _auth(tokens, "siti")
    consent = gateway.post(
        f"/api/clients/{client['id']}/consents",
        json={"purpose": "notifications", "channels": ["sms"], "text_version": "notif-2026-01"},
        headers=auth,
    )
    assert consent.status_code == 201, consent.text

    def entries() -> list[str] | None:
        answer = gateway.get(f"/api/clients/{client['id']}/timeline", headers=auth)
        types = [e["event_type"] for e in answer.json()["items"]]
        return types if "jembatan.notification.scheduled.v1" in types else None

    types = stack.eventually(entries, timeout_s=30)  # newest first
    # a random test person may resemble an earlier one: a duplicate flag is not our concern here
    types = [t for t in types if t != "jembatan.client.duplicate_suspected.v1"]
    assert types[-2:] == ["jembatan.consent.granted.v1", "jembatan.client.registered.v2"]
    assert types.count("jembatan.notification.scheduled.v1") == 1  # the welcome, by SMS
    body = gateway.get(f"/api/clients/{client['id']}/timeline", headers=auth).text
    assert client["_phone"] not in body and client["_nik"] not in body
    assert (
        gateway.get(
            f"/api/clients/{client['id']}/timeline", headers=_auth(tokens, "budi")
        ).status_code
        == 404
    )


def test_an_update_changes_the_record_and_refuses_fields_fixed_by_the_nik(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    client = _register(gateway, tokens)
    auth, path = _auth(tokens, "siti"), f"/api/clients/{client['id']}"
    changed = gateway.patch(
        path, json={"phone": "0813 1111 2222", "disability": True}, headers=auth
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["phone"] == "+6281311112222" and changed.json()["version"] == 2
    refused = gateway.patch(path, json={"sex": "M"}, headers=auth)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "sex"
    emptied = gateway.patch(path, json={"phone": None, "email": None}, headers=auth)
    assert emptied.status_code == 422 and emptied.json()["errors"][0]["field"] == "phone"
    assert gateway.get(path, headers=auth).json()["phone"] == "+6281311112222"
    moved_away = gateway.patch(path, json={"region_code": "3578"}, headers=auth)
    assert moved_away.status_code == 422
