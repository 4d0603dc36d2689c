"""A likely duplicate is flagged for the supervisor, who merges it keeping both records."""

from __future__ import annotations

import httpx
import pytest

from support import stack
from support.people import new_worker

pytestmark = pytest.mark.integration


def test_a_likely_duplicate_is_flagged_and_merged_by_the_supervisor(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    siti = {"Authorization": f"Bearer {tokens['siti']}"}
    rina = {"Authorization": f"Bearer {tokens['rina']}"}
    first = gateway.post("/api/clients", json=new_worker(), headers=siti).json()
    # Another NIK, the same phone: a household phone, or the same person registered twice.
    second = gateway.post(
        "/api/clients", json=new_worker(phone=first["phone"]), headers=siti
    ).json()
    gateway.post(
        f"/api/clients/{second['id']}/consents",
        json={"purpose": "case_management", "text_version": "cm-2026-01"},
        headers=siti,
    )

    def flag() -> dict[str, str] | None:
        flags = gateway.get(
            "/api/client/duplicates", params={"client_id": second["id"]}, headers=rina
        ).json()["items"]
        pair = (second["id"], first["id"])  # (another client may share the phone too)
        return next((f for f in flags if (f["client_id"], f["candidate_id"]) == pair), None)

    found = stack.eventually(flag, timeout_s=5)
    assert found["reason"] == "same_phone"
    assert gateway.get("/api/client/duplicates", headers=siti).status_code == 403
    budi = {"Authorization": f"Bearer {tokens['budi']}"}
    assert (
        gateway.post(
            f"/api/client/duplicates/{found['id']}/merge", json={}, headers=budi
        ).status_code
        == 403
    )

    merged = gateway.post(f"/api/client/duplicates/{found['id']}/merge", json={}, headers=rina)
    assert merged.status_code == 200 and merged.json()["survivor_id"] == first["id"]
    again = gateway.post(f"/api/client/duplicates/{found['id']}/merge", json={}, headers=rina)
    assert again.status_code == 409

    kept = gateway.get(f"/api/clients/{second['id']}", headers=siti).json()
    assert kept["merged_into"] == first["id"]  # history kept, pointing at the survivor
    moved = gateway.get(f"/api/clients/{first['id']}/consents", headers=siti).json()["items"]
    assert len(moved) == 1
    search = gateway.get("/api/clients", params={"phone": first["phone"]}, headers=siti).json()
    assert [c["id"] for c in search["items"]] == [first["id"]]
