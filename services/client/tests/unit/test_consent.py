"""Consent: purpose-bound, scoped, channel-checked, withdrawn once, history kept."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from client.domain.consent import ConsentAlreadyWithdrawn
from client.domain.model import InvalidClient
from client.service_layer import commands, handlers

from .fakes import FakeUnitOfWork
from .test_registration import BUDI, CTX, SITI

COVERS = {
    "handlers.grant_consent",
    "handlers.withdraw_consent",
    "handlers.list_consents",
}


async def _client(uow: FakeUnitOfWork, **overrides: Any) -> Any:
    fields: dict[str, Any] = {
        "kind": "worker",
        "nik": "3273014506900007",
        "full_name": "Ratna Sari",
        "birth_date": date(1990, 6, 5),
        "sex": "F",
        "phone": "0812-9999-0001",
        "region_code": "3273",
    }
    fields.update(overrides)
    return await handlers.register_client(commands.RegisterClient(actor=SITI, **fields), uow, CTX)


async def test_a_referral_consent_names_its_partner_and_scope_and_can_be_withdrawn_once() -> None:
    uow = FakeUnitOfWork()
    client = await _client(uow)
    grant = commands.GrantConsent(
        SITI,
        client.id,
        "referral",
        "referral-id-2026-01",
        "bank-nusantara",
        ("identity", "contact"),
    )
    consent = await handlers.grant_consent(grant, uow, CTX)
    assert consent.scope == ("contact", "identity") and consent.live

    withdraw = commands.WithdrawConsent(SITI, client.id, consent.id)
    withdrawn = await handlers.withdraw_consent(withdraw, uow, CTX)
    assert not withdrawn.live and withdrawn.granted_at is not None  # history kept
    with pytest.raises(ConsentAlreadyWithdrawn):
        await handlers.withdraw_consent(withdraw, uow, CTX)
    kinds = [type(e).__name__ for e in uow.published]
    assert kinds.count("ConsentWithdrawn") == 1 and kinds.count("ConsentGranted") == 1


@pytest.mark.parametrize(
    ("purpose", "partner", "scope", "channels", "field"),
    [
        ("referral", None, ("contact",), (), "partner_code"),
        ("referral", "bank-nusantara", (), (), "scope"),
        ("referral", "bank-nusantara", ("business",), (), "scope"),  # a worker has none
        ("notifications", None, (), (), "channels"),
        ("notifications", None, (), ("email",), "channels"),  # no e-mail address on file
        ("case_management", "bank-nusantara", (), (), "partner_code"),
        ("case_management", None, (), ("sms",), "channels"),
    ],
)
async def test_consent_rules_name_the_field(
    purpose: str, partner: str | None, scope: tuple[str, ...], channels: tuple[str, ...], field: str
) -> None:
    uow = FakeUnitOfWork()
    client = await _client(uow)
    grant = commands.GrantConsent(SITI, client.id, purpose, "v1", partner, scope, channels)
    with pytest.raises(InvalidClient) as caught:
        await handlers.grant_consent(grant, uow, CTX)
    assert caught.value.field == field


async def test_sms_consent_needs_a_mobile_number() -> None:
    uow = FakeUnitOfWork()
    client = await _client(uow, phone="021-5551234")
    grant = commands.GrantConsent(SITI, client.id, "notifications", "v1", channels=("sms",))
    with pytest.raises(InvalidClient, match="mobile"):
        await handlers.grant_consent(grant, uow, CTX)


async def test_consents_of_another_region_are_not_found() -> None:
    uow = FakeUnitOfWork()
    client = await _client(uow)
    grant = commands.GrantConsent(BUDI, client.id, "case_management", "v1")
    with pytest.raises(handlers.ClientNotFound):
        await handlers.grant_consent(grant, uow, CTX)
    with pytest.raises(handlers.ClientNotFound):
        await handlers.list_consents(client.id, BUDI, uow)
