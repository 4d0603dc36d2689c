"""A month of a region's referrals per partner, for the supervisor's province dashboard:
counts that move with what happens, withheld from 1 to 4, and only the caller's region."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from support.referrals import client_with_consent, expire_all_as_of, refer

pytestmark = pytest.mark.integration

PARTNER = "bank-nusantara"


def _row(gateway: httpx.Client, token: str, period: str) -> dict[str, Any]:
    answer = gateway.get(
        "/api/referrals/summary",
        params={"period": period},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["min_cell"] == 5
    return next(p for p in answer.json()["partners"] if p["partner_code"] == PARTNER)


def _grew_by(before: int | None, after: int | None, by: int) -> bool:
    """`after` is `before` + `by`, where a withheld `before` was from 1 to 4."""
    if after is None:
        return False
    return after - by in (range(1, 5) if before is None else (before,))


def test_the_summary_counts_sent_completed_and_late_referrals_of_the_region_only(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    period = datetime.now(ZoneInfo("Asia/Jakarta")).strftime("%Y-%m")
    province, elsewhere = (
        _row(gateway, tokens["rina"], period),
        _row(gateway, tokens["budi"], period),
    )
    bank = {"Authorization": f"Bearer {tokens[PARTNER]}"}
    referrals = []
    for _ in range(10):
        client = client_with_consent(gateway, tokens, ["contact"])
        answer = refer(gateway, tokens, client["id"])
        assert answer.status_code == 201, answer.text
        referrals.append(answer.json())
    for referral in referrals[:5]:  # the bank opens five accounts
        path = f"/api/partner/referrals/{referral['id']}/status"
        for change in (
            {"status": "acknowledged"},
            {"status": "completed", "outcome": "account_opened"},
        ):
            assert gateway.post(path, json=change, headers=bank).status_code == 200
    respond_by = datetime.fromisoformat(referrals[-1]["respond_by"]).replace(tzinfo=UTC)
    assert expire_all_as_of(respond_by + timedelta(days=1, hours=1)) >= 5  # never acknowledged

    after = _row(gateway, tokens["rina"], period)
    assert _grew_by(province["sent"], after["sent"], 10), (province, after)
    assert _grew_by(province["completed"], after["completed"], 5), (province, after)
    assert after["sla_breaches"] is not None
    assert after["sla_breaches"] >= (province["sla_breaches"] or 0) + 5
    if after["completed"] >= 5:
        assert after["conversion"] == round(after["completed"] / after["sent"], 4)
    assert _row(gateway, tokens["budi"], period) == elsewhere  # Surabaya saw none of it
    officer = _row(gateway, tokens["siti"], period)  # her regency: these are all of Bandung
    assert officer["sent"] is not None and officer["sent"] >= 10
