"""A personal-data breach through the real stack (UU 27/2022 Pasal 46): it lists exactly the
clients of its region and period, each listing audited; approved notices reach notify for
each of them; the draft letter holds counts only; and past its 3 x 24-hour deadline it
escalates once, by e-mail to the administrators, under a clock the test controls.

The rule counts every client of the region registered before the period ended, so the test
works in a regency no other test registers in (3217, Kabupaten Bandung Barat, through rina,
the province's supervisor): approving tells only this test's clients (and those of its
earlier runs on a long-lived stack); they are picked out by id."""

from __future__ import annotations

import email
import json
import time
from datetime import UTC, datetime, timedelta
from email import policy
from typing import Any

import httpx
import pytest

from client import bootstrap as client_bootstrap
from client.service_layer.breaches import escalate_late_breaches
from support import stack
from support.people import new_worker

pytestmark = pytest.mark.integration

ESCALATED = "jembatan.breach.escalated.v1"
ADMIN_ADDRESS = "admin@jembatan.test"  # notify's default admin_alert_address
MAILDIR = stack.CACHE / "mail" / "new"


def _auth(tokens: dict[str, str], who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[who]}"}


def _register(gateway: httpx.Client, headers: dict[str, str], region: str) -> dict[str, Any]:
    answer = gateway.post("/api/clients", json=new_worker(region), headers=headers)
    assert answer.status_code == 201, answer.text
    client: dict[str, Any] = answer.json()
    consent = gateway.post(
        f"/api/clients/{client['id']}/consents",
        json={"purpose": "notifications", "channels": ["sms"], "text_version": "notif-2026-01"},
        headers=headers,
    )
    assert consent.status_code == 201, consent.text
    return client


def _affected_ids(gateway: httpx.Client, admin: dict[str, str], breach_id: str) -> set[str]:
    """Every page of the breach's people (the database holds other tests' clients too)."""
    ids: set[str] = set()
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 1000} | ({"cursor": cursor} if cursor else {})
        page = gateway.get(
            f"/api/client/breaches/{breach_id}/affected", params=params, headers=admin
        )
        assert page.status_code == 200, page.text
        ids |= {item["client_id"] for item in page.json()["items"]}
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return ids


async def _escalate_as_of(now: datetime) -> int:
    container = client_bootstrap.build()
    try:
        return await escalate_late_breaches(container.uow(), now)
    finally:
        await container.engine.dispose()


def _escalate_all_as_of(now: datetime) -> int:
    """Rounds of the timer's job until none is left (other tests' breaches may be late too)."""
    return stack.all_rounds(lambda: _escalate_as_of(now))


def _mails_to_administrators_about(breach_id: str) -> list[str]:
    found = []
    for path in MAILDIR.glob("*"):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] == ADMIN_ADDRESS and breach_id in str(message["Subject"]):
            found.append(str(message["Subject"]))
    return found


@pytest.fixture(scope="module")
def incident(gateway: httpx.Client, tokens: Any) -> dict[str, Any]:
    """Clients of Bandung Barat (rina) and Surabaya (budi), registered before and after the
    end of the period; a breach recorded for Bandung Barat (3217) and that period."""
    rina, budi = _auth(tokens, "rina"), _auth(tokens, "budi")
    before = {
        "bandung": _register(gateway, rina, "3217"),
        "surabaya": _register(gateway, budi, "3578"),
    }
    time.sleep(1.0)
    period_end = datetime.now(UTC)
    time.sleep(1.0)
    after = {
        "bandung": _register(gateway, rina, "3217"),
        "surabaya": _register(gateway, budi, "3578"),
    }
    assert all(datetime.fromisoformat(c["registered_at"]) < period_end for c in before.values()), (
        "the clock of the client service and of this test disagree"
    )
    body = {
        "category": "unauthorised_access",
        "description": "Uji: kredensial akun layanan terbaca di log yang terbuka.",
        "handling": "Kredensial dicabut, log dihapus, akses diperiksa.",
        "data_kinds": ["name", "contact"],
        "systems": ["client", "backups"],
        "found_at": period_end.isoformat(),
        "period": {
            "from": (period_end - timedelta(days=1)).isoformat(),
            "to": period_end.isoformat(),
        },
        "regions": ["3217"],
    }
    recorded = gateway.post("/api/client/breaches", json=body, headers=_auth(tokens, "admin"))
    assert recorded.status_code == 201, recorded.text
    return {"before": before, "after": after, "breach": recorded.json()}


def test_a_breach_lists_exactly_the_clients_of_its_region_and_period(
    gateway: httpx.Client, tokens: Any, incident: dict[str, Any]
) -> None:
    breach, before, after = incident["breach"], incident["before"], incident["after"]
    ours = {c["id"] for c in (*before.values(), *after.values())}

    listed = _affected_ids(gateway, _auth(tokens, "admin"), breach["id"]) & ours

    assert listed == {before["bandung"]["id"]}
    counts = {c["region_code"]: c["clients"] for c in breach["counts"]}
    assert set(counts) == {"3217"} and counts["3217"] >= 1
    assert breach["pending"] == ["people", "authority"]
    assert datetime.fromisoformat(breach["due_at"]) - datetime.fromisoformat(
        breach["found_at"]
    ) == timedelta(hours=72)
    reads = gateway.get(
        "/api/client/audit",
        params={"client_id": before["bandung"]["id"]},
        headers=_auth(tokens, "rina"),
    ).json()["items"]
    assert {(r["purpose"], r["reference"]) for r in reads} >= {("breach", f"breach:{breach['id']}")}


def test_officers_may_not_see_a_breach_and_rina_sees_her_province_s(
    gateway: httpx.Client, tokens: Any, incident: dict[str, Any]
) -> None:
    path = f"/api/client/breaches/{incident['breach']['id']}"
    assert gateway.get(path, headers=_auth(tokens, "siti")).status_code == 403
    assert gateway.get(path, headers=_auth(tokens, "budi")).status_code == 403
    assert gateway.get(path, headers=_auth(tokens, "rina")).status_code == 200


def test_approved_notices_reach_notify_for_each_affected_client_only(
    gateway: httpx.Client, tokens: Any, incident: dict[str, Any]
) -> None:
    breach, before, after = incident["breach"], incident["before"], incident["after"]
    admin = _auth(tokens, "admin")
    approved = gateway.post(f"/api/client/breaches/{breach['id']}/notify-people", headers=admin)
    assert approved.status_code == 200, approved.text
    assert approved.json()["people_told"] >= 1 and approved.json()["pending"] == ["authority"]
    again = gateway.post(f"/api/client/breaches/{breach['id']}/notify-people", headers=admin)
    assert again.status_code == 409

    def notices(client: dict[str, Any], who: str) -> list[dict[str, Any]]:
        answer = gateway.get(
            "/api/notifications", params={"client_id": client["id"]}, headers=_auth(tokens, who)
        )
        return [n for n in answer.json()["items"] if n["template"] == "breach_notice"]

    planned = stack.eventually(lambda: notices(before["bandung"], "rina"), timeout_s=60)
    by_channel = {n["channel"]: n for n in planned}
    # Scheduled (or already sent) by SMS, the channel consented to; quiet hours may hold it.
    assert by_channel["sms"]["status"] in ("scheduled", "sending", "sent", "delivered")
    assert by_channel["email"]["status"] == "suppressed"
    assert by_channel["email"]["reason"] == "no_consent"

    def on_timeline() -> bool:
        timeline = gateway.get(
            f"/api/clients/{before['bandung']['id']}/timeline", headers=_auth(tokens, "rina")
        ).json()["items"]
        return "jembatan.breach.notice_approved.v1" in [e["event_type"] for e in timeline]

    assert stack.eventually(on_timeline, timeout_s=30)
    # The others of the test were never affected: nothing is planned for them.
    assert notices(after["bandung"], "rina") == []
    assert notices(before["surabaya"], "budi") == []


def test_the_draft_letter_to_the_authority_holds_counts_and_no_person(
    gateway: httpx.Client, tokens: Any, incident: dict[str, Any]
) -> None:
    breach = incident["breach"]
    letter = gateway.get(
        f"/api/client/breaches/{breach['id']}/authority-notice", headers=_auth(tokens, "admin")
    )
    assert letter.status_code == 200 and letter.headers["content-type"].startswith("text/plain")
    assert "Pasal 46" in letter.text and "wilayah 3217:" in letter.text
    clients = (*incident["before"].values(), *incident["after"].values())
    assert not any(c["id"] in letter.text or c["phone"] in letter.text for c in clients)


def test_past_its_deadline_a_breach_escalates_once_by_email_to_the_administrators(
    gateway: httpx.Client, tokens: Any, incident: dict[str, Any]
) -> None:
    breach = incident["breach"]
    path = f"/api/client/breaches/{breach['id']}"
    admin = _auth(tokens, "admin")
    due = datetime.fromisoformat(breach["due_at"])
    since = stack.topic_end_offsets("client.events")

    _escalate_all_as_of(due - timedelta(minutes=1))
    assert gateway.get(path, headers=admin).json()["escalated_at"] is None

    assert _escalate_all_as_of(due + timedelta(minutes=1)) >= 1
    escalated = gateway.get(path, headers=admin).json()
    assert datetime.fromisoformat(escalated["escalated_at"]) == due + timedelta(minutes=1)
    _escalate_all_as_of(due + timedelta(days=2))  # once: a later round changes nothing
    assert gateway.get(path, headers=admin).json()["escalated_at"] == escalated["escalated_at"]

    def ours(records: list[Any]) -> list[dict[str, Any]]:
        return [
            json.loads(r.value)
            for r in records
            if dict(r.headers)["ce_type"] == ESCALATED.encode() and r.key == breach["id"].encode()
        ]

    with stack.reading("client.events", since) as consumer:
        records = stack.drain_until(consumer, lambda rs: bool(ours(rs)))
        records += stack.drain_until(consumer, lambda rs: True, timeout_s=2)
    [event] = ours(records)
    assert event["pending"] == escalated["pending"] and event["region_codes"] == ["3217"]
    mails = stack.eventually(lambda: _mails_to_administrators_about(breach["id"]), timeout_s=60)
    assert len(mails) == 1
