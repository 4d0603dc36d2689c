"""A canary NIK and phone number sent through the API appear in no log line of any process."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from support import stack
from support.people import new_worker

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", autouse=True)
def _sending_at_any_hour() -> Iterator[None]:
    """The SMS must go out now, whatever the hour (quiet hours would hold it till 07:00)."""
    with stack.restarted_with(("notify-worker", "notify-sender"), {"NOTIFY_QUIET_HOURS": "false"}):
        yield


def test_canary_values_never_reach_a_log(gateway: httpx.Client, tokens: dict[str, str]) -> None:
    canary = new_worker(full_name="Kenari Penanda")
    nik, phone = canary["nik"], canary["phone"]
    auth = {"Authorization": f"Bearer {tokens['siti']}"}

    created = gateway.post("/api/clients", json=canary, headers=auth)
    assert created.status_code == 201, created.text
    # The same values again, in the ways a careless caller might send them.
    assert gateway.post("/api/clients", json=canary, headers=auth).status_code == 409
    bad_birth = {**canary, "birth_date": "1901-01-01"}
    assert gateway.post("/api/clients", json=bad_birth, headers=auth).status_code == 422
    gateway.get("/api/clients", params={"nik": nik, "phone": phone}, headers=auth)
    gateway.get(f"/api/clients/{nik}", headers=auth)
    gateway.get("/api/clients", params={"nik": nik})  # 401 at the gateway

    # An SMS goes out (consent), so the relay, notify, its sender and the provider speak too.
    consent = gateway.post(
        f"/api/clients/{created.json()['id']}/consents",
        json={"purpose": "notifications", "channels": ["sms"], "text_version": "notif-2026-01"},
        headers=auth,
    )
    assert consent.status_code == 201, consent.text

    def sms_sent() -> bool:
        items = httpx.get(
            f"{stack.GATEWAY}/api/notifications",
            params={"client_id": created.json()["id"]},
            headers=auth,
        ).json()["items"]
        return any(n["channel"] == "sms" and n["status"] in ("sent", "delivered") for n in items)

    stack.eventually(sms_sent, timeout_s=60)
    local_phone = "0" + phone.removeprefix("+62")
    offenders = []
    for path in stack.log_files():
        content = path.read_text(errors="replace")
        for value in (nik, phone, phone.removeprefix("+"), local_phone, "Kenari Penanda"):
            if value in content:
                offenders.append((path.name, value[:4] + "…"))
    assert offenders == []
    assert len(stack.log_files()) >= 9  # the check read every process's log
