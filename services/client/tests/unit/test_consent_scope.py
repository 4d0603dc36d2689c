"""The consent-scope rule of docs/contract.md §6.1 is written twice, once per service (they may
not import each other): here the client's table is held equal to the referral service's, and
the client's profile is cut to the scope."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from client.domain import consent_scope
from client.service_layer import commands, handlers
from referral.domain import offer
from shared.auth import Principal

from .fakes import FakeRegions, FakeUnitOfWork

NOW = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
CTX = handlers.Context(now=lambda: NOW, regions=FakeRegions())
SITI = Principal("siti-sub", "siti", "jembatan-cli", frozenset({"officer"}), "3273", None)


def test_the_client_and_the_partner_side_agree_on_every_scope() -> None:
    assert consent_scope.SCOPE_FIELDS == offer.SCOPE_FIELDS
    assert consent_scope.BUSINESS_FIELDS == offer.BUSINESS_FIELDS


async def _umkm_owner() -> Any:
    command = commands.RegisterClient(
        actor=SITI,
        kind="umkm",
        nik="3273014506900007",
        full_name="Ratna Sari",
        birth_date=date(1990, 6, 5),
        sex="F",
        phone="0812-9999-0001",
        region_code="3273",
        business={
            "nib": "1234567890123",
            "name": "Warung Bu Ratna",
            "kbli": "56102",
            "employees": 2,
            "annual_revenue_idr": 180_000_000,
        },
    )
    return await handlers.register_client(command, FakeUnitOfWork(), CTX)


async def test_each_scope_shows_exactly_its_fields() -> None:
    client = await _umkm_owner()
    nik = "3273014506900007"
    assert consent_scope.visible_fields(client, nik, ()) == {}
    assert consent_scope.visible_fields(client, nik, ("contact",)) == {
        "full_name": "Ratna Sari",
        "phone": "+6281299990001",
    }
    assert consent_scope.visible_fields(client, nik, ("identity",)) == {
        "nik": nik,
        "birth_date": date(1990, 6, 5),
        "sex": "F",
    }
    assert consent_scope.visible_fields(client, nik, ("business", "unknown")) == {
        "business": {"nib": "1234567890123", "name": "Warung Bu Ratna", "kbli": "56102"}
    }


def test_the_nik_is_read_only_under_an_identity_scope() -> None:
    assert consent_scope.reveals_nik(("contact", "identity"))
    assert not consent_scope.reveals_nik(("contact", "business"))


async def test_the_client_side_cuts_like_the_partner_side() -> None:
    """The same client, seen through each scope, gives the partner the same fields either way."""
    client = await _umkm_owner()
    nik = "3273014506900007"
    for scope in [("contact",), ("identity",), ("business",), ("contact", "identity", "business")]:
        shown = consent_scope.visible_fields(client, nik, scope)
        applicant = offer.applicant_for_partner(client.kind, shown, scope)
        assert {k: v for k, v in applicant.items() if k != "kind"} == shown
