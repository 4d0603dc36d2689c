"""Helpers of the referral tests: a client who consented, a referral sent, a clock for expiry."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import httpx

from referral import bootstrap as referral_bootstrap
from referral.service_layer.handlers import expire_late_referrals
from support import stack
from support.people import new_worker


def _auth(tokens: dict[str, str], who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[who]}"}


def partner_body(gateway: httpx.Client, tokens: dict[str, str], code: str) -> dict[str, Any]:
    """A catalogue entry as `PUT /api/partners/{code}` takes it, from the partner `code`."""
    partners = gateway.get("/api/partners", headers=_auth(tokens, "admin")).json()["items"]
    partner = next(p for p in partners if p["code"] == code)
    body = {k: v for k, v in partner.items() if k != "code"}
    body["products"] = [
        {k: v for k, v in product.items() if k in ("code", "name", "kind", "fee_sheet", "rules")}
        for product in partner["products"]
    ]
    return body


def client_with_consent(
    gateway: httpx.Client, tokens: dict[str, str], scope: list[str], partner: str = "bank-nusantara"
) -> dict[str, Any]:
    body = new_worker()
    client = gateway.post("/api/clients", json=body, headers=_auth(tokens, "siti")).json()
    consent = gateway.post(
        f"/api/clients/{client['id']}/consents",
        json={
            "purpose": "referral",
            "partner_code": partner,
            "scope": scope,
            "text_version": "ref-2026-01",
        },
        headers=_auth(tokens, "siti"),
    )
    assert consent.status_code == 201, consent.text
    return {**client, "_nik": body["nik"], "_consent_id": consent.json()["id"]}


def refer(
    gateway: httpx.Client,
    tokens: dict[str, str],
    client_id: str,
    product: str = "savings-basic",
    partner: str = "bank-nusantara",
    wait: bool = True,
) -> httpx.Response:
    """Send a referral; `wait` retries while the referral service's projections catch up."""
    body = {
        "client_id": client_id,
        "partner_code": partner,
        "product_code": product,
        "fee_sheet_version": "2026-01",
        "options_shown": ["bank-nusantara", "dompet-rakyat"],
    }
    deadline = time.monotonic() + (30 if wait else 0)
    while True:
        answer = gateway.post("/api/referrals", json=body, headers=_auth(tokens, "siti"))
        if answer.status_code not in (404, 409) or time.monotonic() > deadline:
            return answer
        time.sleep(0.3)


async def _expire_as_of(now: datetime) -> int:
    container = referral_bootstrap.build()
    try:
        return await expire_late_referrals(container.uow(), now)
    finally:
        await container.engine.dispose()
        await container.clients.close()


def expire_all_as_of(now: datetime) -> int:
    """The expiry scan as of `now`, in rounds until none is left (each round takes up to 200)."""
    return stack.all_rounds(lambda: _expire_as_of(now))
