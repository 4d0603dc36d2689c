"""An officer's own referrals as her bell reads them: those she sent, those past an SLA, and
those a partner answered since a moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

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
