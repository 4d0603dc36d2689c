"""An officer's own referrals as her bell reads them: those she sent, those past an SLA, and
those a partner answered since a moment; and the e-mail that tells her of an SLA breach."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage

import httpx
import pytest

from support import stack
from support.referrals import client_with_consent, expire_all_as_of, refer

pytestmark = pytest.mark.integration


def _ids(gateway: httpx.Client, token: str, **params: str) -> set[str]:
    answer = gateway.get(
        "/api/referrals",
        params={"limit": "200", **params},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text
    return {r["id"] for r in answer.json()["items"]}


def test_an_officer_filters_her_own_late_and_answered_referrals(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    sent = [
        refer(gateway, tokens, client_with_consent(gateway, tokens, ["contact"])["id"]).json()
        for _ in range(2)
    ]
    answered, ignored = sent
    before = datetime.now(UTC) - timedelta(seconds=1)
    bank = {"Authorization": f"Bearer {tokens['bank-nusantara']}"}
    path = f"/api/partner/referrals/{answered['id']}/status"
    assert gateway.post(path, json={"status": "acknowledged"}, headers=bank).status_code == 200

    mine = _ids(gateway, tokens["siti"], referred_by="me")
    assert {answered["id"], ignored["id"]} <= mine
    assert not {answered["id"], ignored["id"]} & _ids(gateway, tokens["rina"], referred_by="me")
    since = _ids(gateway, tokens["siti"], referred_by="me", answered_since=before.isoformat())
    assert answered["id"] in since and ignored["id"] not in since
    later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    assert answered["id"] not in _ids(gateway, tokens["siti"], answered_since=later)

    assert ignored["id"] not in _ids(gateway, tokens["siti"], referred_by="me", late="true")
    respond_by = datetime.fromisoformat(ignored["respond_by"]).replace(tzinfo=UTC)
    expire_all_as_of(respond_by + timedelta(days=1, hours=1))
    late = _ids(gateway, tokens["siti"], referred_by="me", late="true")
    assert ignored["id"] in late and answered["id"] not in late  # acknowledged in time
    refused = gateway.get(
        "/api/referrals",
        params={"referred_by": "rina"},
        headers={"Authorization": f"Bearer {tokens['siti']}"},
    )
    assert refused.status_code == 422


def _mails_about(referral_id: str) -> list[EmailMessage]:
    found = []
    for path in (stack.CACHE / "mail" / "new").glob("*"):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if referral_id in message.get_content():
            found.append(message)
    return found


def test_an_sla_breach_is_mailed_to_the_officer_who_referred_and_to_the_province(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    client = client_with_consent(gateway, tokens, ["contact"])
    referral = refer(gateway, tokens, client["id"]).json()
    respond_by = datetime.fromisoformat(referral["respond_by"]).replace(tzinfo=UTC)
    assert expire_all_as_of(respond_by + timedelta(days=1, hours=1)) >= 1

    def both() -> list[EmailMessage] | None:
        found = _mails_about(referral["id"])
        return found if len(found) >= 2 else None

    mails = stack.eventually(both, timeout_s=60)
    assert sorted(str(m["To"]) for m in mails) == [
        "pengawas-32@jembatan.test",
        "siti@jembatan.test",
    ]
    assert all(client["full_name"] not in m.get_content() for m in mails)  # ids, the partner


def test_only_notify_reads_an_officers_address(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    client_api = f"http://127.0.0.1:{stack.SERVICE_PORTS['client']}"
    staff = gateway.get("/api/client/staff", headers={"Authorization": f"Bearer {tokens['rina']}"})
    siti = next(s for s in staff.json()["items"] if s["username"] == "siti")
    assert "email" not in siti  # supervisors' staff list carries no address
    url = f"{client_api}/internal/staff/{siti['subject']}"
    notify = {"Authorization": f"Bearer {stack.service_token('service-notify')}"}
    answer = httpx.get(url, headers=notify)
    assert answer.status_code == 200 and answer.json()["email"] == "siti@jembatan.test"
    for who in ("siti", "rina", "admin", "bank-nusantara"):
        refused = httpx.get(url, headers={"Authorization": f"Bearer {tokens[who]}"})
        assert refused.status_code == 403, who
    referral_service = {"Authorization": f"Bearer {stack.service_token('service-referral')}"}
    assert httpx.get(url, headers=referral_service).status_code == 403
    unknown = f"{client_api}/internal/staff/00000000-0000-4000-8000-000000000001"
    assert httpx.get(unknown, headers=notify).status_code == 404
