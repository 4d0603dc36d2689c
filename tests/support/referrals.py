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


def consent_to_bank_nusantara(
    gateway: httpx.Client, officer: dict[str, str], client_id: str
) -> httpx.Response:
    """The answer to `client_id`'s referral consent to Bank Nusantara (contact data, text
    ref-2026-01), given by the officer whose headers are `officer`."""
    return gateway.post(
        f"/api/clients/{client_id}/consents",
        json={
            "purpose": "referral",
            "partner_code": "bank-nusantara",
            "scope": ["contact"],
            "text_version": "ref-2026-01",
        },
        headers=officer,
    )


def consenting_client(
    gateway: httpx.Client, officer: dict[str, str]
) -> tuple[dict[str, Any], httpx.Response]:
    """A new client registered by `officer`, and the answer to their consent to Bank Nusantara
    (left to the caller to check)."""
    client: dict[str, Any] = gateway.post("/api/clients", json=new_worker(), headers=officer).json()
    return client, consent_to_bank_nusantara(gateway, officer, client["id"])


def savings_referral(client_id: str) -> dict[str, str]:
    """The body of a referral of `client_id` to Bank Nusantara's basic savings account."""
    return {
        "client_id": client_id,
        "partner_code": "bank-nusantara",
        "product_code": "savings-basic",
        "fee_sheet_version": "2026-01",
    }


def referral_sent(
    gateway: httpx.Client, officer: dict[str, str], body: dict[str, str], timeout_s: float = 30
) -> httpx.Response:
    """`POST /api/referrals` again until it is accepted (201): the referral service learns of
    the client and the consent from their events, a moment after they were given."""
    deadline = time.monotonic() + timeout_s
    while True:
        answer = gateway.post("/api/referrals", json=body, headers=officer)
        if answer.status_code == 201 or time.monotonic() > deadline:
            assert answer.status_code == 201, answer.text
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
