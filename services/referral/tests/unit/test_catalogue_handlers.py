"""The catalogue: listing, putting a partner (checked, then onboarded), offboarding one (its
waiting offers discarded), a new client secret, a licence check."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from referral_fakes import FakeAccess, FakeCatalogue, FakeReferralUow
from referral_scenario import bus_over

from referral.domain.catalogue import FeeSheet, Partner
from referral.domain.demo_catalogue import BANK_NUSANTARA, DOMPET_RAKYAT
from referral.service_layer import commands
from shared.contracts import partner as partner_contracts
from shared.errors import Conflict, InvalidField, NotFound


def _put(partner: Partner, callback_url_given: bool = False) -> commands.PutPartner:
    return commands.PutPartner(
        partner.code, build=lambda current: partner, callback_url_given=callback_url_given
    )


def _uow(*partners: Partner) -> FakeReferralUow:
    uow = FakeReferralUow()
    uow.catalogue = FakeCatalogue(partners or (BANK_NUSANTARA, DOMPET_RAKYAT))  # type: ignore[assignment]
    return uow


async def test_the_catalogue_lists_every_partner() -> None:
    partners = await bus_over(_uow()).handle(commands.ListPartners())
    assert [p.code for p in partners] == ["bank-nusantara", "dompet-rakyat"]


async def test_a_new_partner_is_written_then_onboarded_and_active() -> None:
    uow, access = _uow(DOMPET_RAKYAT), FakeAccess()
    new = replace(BANK_NUSANTARA, status="provisioning")

    partner = await bus_over(uow, access=access).handle(_put(new))

    assert partner.status == "active" == uow.catalogue.rows["bank-nusantara"].status
    assert access.steps == ["client+bank-nusantara", "topic+bank-nusantara", "acls+bank-nusantara"]


async def test_a_callback_url_that_cannot_receive_webhooks_names_the_field() -> None:
    uow, access = _uow(), FakeAccess()
    hooked = replace(BANK_NUSANTARA, callback_url="http://hooks.example/jembatan")

    with pytest.raises(InvalidField) as refused:
        await bus_over(uow, access=access).handle(_put(hooked, callback_url_given=True))

    assert refused.value.field == "callback_url" and access.steps == []
    assert uow.catalogue.rows["bank-nusantara"].callback_url is None


async def test_changed_terms_under_the_same_fee_sheet_version_are_refused() -> None:
    uow, access = _uow(), FakeAccess()
    first, *rest = BANK_NUSANTARA.products
    changed = replace(first, fee_sheet=FeeSheet("2026-01", {"opening": 5_000}, {}))
    edited = replace(BANK_NUSANTARA, products=(changed, *rest))

    with pytest.raises(InvalidField) as refused:
        await bus_over(uow, access=access).handle(_put(edited))

    assert [p.field for p in refused.value.problems] == ["products.0.fee_sheet.version"]
    assert refused.value.detail is None and access.steps == []


async def test_offboarding_removes_access_and_discards_the_partner_s_waiting_offers() -> None:
    uow, access = _uow(), FakeAccess()
    bus = bus_over(uow, access=access)

    partner = await bus.handle(commands.OffboardPartner("bank-nusantara"))

    assert partner.status == "offboarded"
    assert uow.discarded == [partner_contracts.topic_for("bank-nusantara")]
    assert access.steps == ["client-bank-nusantara", "acls-bank-nusantara", "topic-bank-nusantara"]
    with pytest.raises(NotFound) as refused:
        await bus.handle(commands.OffboardPartner("bank-lain"))
    assert refused.value.what == "partner"


async def test_a_new_secret_only_for_an_active_partner_with_a_client() -> None:
    uow, access = _uow(BANK_NUSANTARA, replace(DOMPET_RAKYAT, status="provisioning")), FakeAccess()
    bus = bus_over(uow, access=access)

    assert await bus.handle(commands.NewPartnerSecret("bank-nusantara")) == "s3cret"
    with pytest.raises(Conflict) as refused:
        await bus.handle(commands.NewPartnerSecret("dompet-rakyat"))
    assert (refused.value.reason, refused.value.detail) == (
        "partner-not-ready",
        "The partner is provisioning.",
    )
    access.secret = None
    with pytest.raises(Conflict) as refused:
        await bus.handle(commands.NewPartnerSecret("bank-nusantara"))
    assert refused.value.detail == "The partner has no Keycloak client."
    with pytest.raises(NotFound):
        await bus.handle(commands.NewPartnerSecret("bank-lain"))


async def test_a_licence_check_is_recorded() -> None:
    uow = _uow()
    bus = bus_over(uow)
    checked = date(2026, 12, 1)

    partner = await bus.handle(commands.ChangeLicence("bank-nusantara", "suspended", checked))

    assert (partner.licence_status, partner.licence_verified_on) == ("suspended", checked)
    assert not uow.catalogue.rows["bank-nusantara"].may_receive_referrals
    with pytest.raises(NotFound):
        await bus.handle(commands.ChangeLicence("bank-lain", "active", checked))
