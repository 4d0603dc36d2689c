"""Every referral endpoint by every caller: expected status written as data, each cell tested."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from support import matrix, report, stack
from support.referrals import consenting_client, referral_sent, savings_referral

pytestmark = pytest.mark.integration

CALLERS = ("siti", "budi", "rina", "ministry", "bank-nusantara", "dompet-rakyat", "admin")
NOT_PEOPLE = {"ministry": 403, "bank-nusantara": 403, "dompet-rakyat": 403, "admin": 403}
OFFICERS_ONLY = {"siti": 403, "budi": 403, "rina": 403, "ministry": 403, "admin": 403}

ENDPOINTS: dict[str, tuple[str, str, dict[str, Any] | None]] = {
    "catalogue": ("GET", "/api/partners", None),
    "licence": (
        "PUT",
        "/api/partners/dompet-rakyat/licence",
        {"licence_status": "active", "licence_verified_on": "2026-11-29"},
    ),
    "list referrals": ("GET", "/api/referrals?client_id={client_id}", None),
    "read referral": ("GET", "/api/referrals/{referral_id}", None),
    "withdraw": ("POST", "/api/referrals/{other_referral_id}/withdraw", None),
    "partner list": ("GET", "/api/partner/referrals", None),
    "partner answer": (
        "POST",
        "/api/partner/referrals/{referral_id}/status",
        {"status": "acknowledged"},
    ),
}
EXPECTED: dict[str, dict[str, int]] = {
    "catalogue": dict.fromkeys(CALLERS, 200),
    "licence": {**dict.fromkeys(CALLERS, 403), "admin": 200},
    "list referrals": {"siti": 200, "budi": 200, "rina": 200, **NOT_PEOPLE},
    "read referral": {"siti": 200, "budi": 404, "rina": 200, **NOT_PEOPLE},
    # siti withdraws first; afterwards the referral is withdrawn (409) for rina.
    "withdraw": {"siti": 200, "budi": 404, "rina": 409, **NOT_PEOPLE},
    "partner list": {**OFFICERS_ONLY, "bank-nusantara": 200, "dompet-rakyat": 200},
    # bank-nusantara acknowledges its own; dompet-rakyat may not touch it.
    "partner answer": {**OFFICERS_ONLY, "bank-nusantara": 200, "dompet-rakyat": 404},
}
CELLS = [(endpoint, caller) for endpoint in ENDPOINTS for caller in CALLERS]
cells = report.Cells(CELLS)


@report.at_end
def _cells_tested() -> str | None:
    if not cells.ran:
        return None
    return (
        f"authorization matrix (referral): {len(cells.passed)} cells tested / {len(CELLS)} defined"
    )


@pytest.fixture(scope="module")
def callers(tokens: dict[str, str]) -> dict[str, dict[str, str]]:
    all_tokens = {**tokens, "dompet-rakyat": stack.service_token("partner-dompet-rakyat")}
    return {who: {"Authorization": f"Bearer {all_tokens[who]}"} for who in CALLERS}


def _referral(gateway: httpx.Client, siti: dict[str, str]) -> tuple[str, str]:
    client, _ = consenting_client(gateway, siti)
    answer = referral_sent(gateway, siti, savings_referral(client["id"]))
    return client["id"], answer.json()["id"]


@pytest.fixture(scope="module")
def records(gateway: httpx.Client, callers: dict[str, dict[str, str]]) -> dict[str, str]:
    client_id, referral_id = _referral(gateway, callers["siti"])
    _, other = _referral(gateway, callers["siti"])
    return {"client_id": client_id, "referral_id": referral_id, "other_referral_id": other}


def test_every_cell_is_defined() -> None:
    assert set(EXPECTED) == set(ENDPOINTS)
    assert matrix.undefined_cells(EXPECTED, CALLERS) == {}
    assert len(set(CELLS)) == len(ENDPOINTS) * len(CALLERS)


def test_every_endpoint_is_an_operation_the_referral_service_publishes(
    gateway: httpx.Client,
) -> None:
    document = gateway.get("/api/referral/openapi.json").json()
    endpoints = [(method, path) for method, path, _ in ENDPOINTS.values()]
    assert matrix.unpublished(endpoints, matrix.published_operations([document])) == set()


@pytest.mark.parametrize(("endpoint", "caller"), CELLS)
def test_cell(
    endpoint: str,
    caller: str,
    records: dict[str, str],
    gateway: httpx.Client,
    callers: dict[str, dict[str, str]],
) -> None:
    with cells.check((endpoint, caller)):
        method, template, body = ENDPOINTS[endpoint]
        answer = gateway.request(
            method, template.format(**records), json=body, headers=callers[caller]
        )
        assert answer.status_code == EXPECTED[endpoint][caller], answer.text
