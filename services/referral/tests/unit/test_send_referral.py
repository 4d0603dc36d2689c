"""Sending a referral through its gates, in order: the client in the officer's region, a
restriction, the partner and product, readiness, an open referral, the licence, the consent,
eligibility, the fee sheet the client saw, the options shown; and what a sent one announces."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import UUID, uuid4

import pytest
from referral_fakes import FakeClients, FakeReferralUow
from referral_scenario import EKO, MONDAY, SITI, a_referral, bus_over, known_client

from referral.adapters.clients import ReferralBasis
from referral.domain.demo_catalogue import BANK_NUSANTARA
from referral.service_layer import commands
from shared.contracts import partner as partner_contracts
from shared.contracts import referral as referral_contracts
from shared.errors import InvalidField, NotFound, Refused

BANK = partner_contracts.topic_for("bank-nusantara")


def _send(client_id: UUID, product: str = "savings-basic", **more: object) -> commands.SendReferral:
    fields: dict[str, object] = {
        "actor": SITI,
        "client_id": client_id,
        "partner_code": "bank-nusantara",
        "product_code": product,
        "fee_sheet_version": "2026-01",
    } | more
    return commands.SendReferral(**fields)  # type: ignore[arg-type]


async def _refused(uow: FakeReferralUow, command: commands.SendReferral) -> Refused:
    with pytest.raises(Refused) as refused:
        await bus_over(uow).handle(command)
    assert uow.referrals.rows == {} and uow.published == []
    return refused.value


async def test_a_referral_is_sent_offered_to_the_partner_and_announced() -> None:
    uow = FakeReferralUow()
    client_id = known_client(uow)

    referral = await bus_over(uow).handle(_send(client_id, options_shown=("dompet-rakyat",)))

    assert uow.referrals.rows[referral.id].state == "sent"
    assert referral.options_shown == ("bank-nusantara", "dompet-rakyat")
    assert [(t, e.type) for t, e in uow.published] == [
        (BANK, partner_contracts.ReferralOfferedV2.TYPE),
        (referral_contracts.TOPIC, referral_contracts.ReferralSent.TYPE),
    ]
    offer = uow.published[0][1]
    assert offer.key == str(referral.id)  # no person's identifier in a partner's key
    assert offer.data["applicant_url"].endswith(f"/{referral.id}/applicant")
    [sent] = uow.data_of(referral_contracts.TOPIC, referral_contracts.ReferralSent.TYPE)
    assert sent["partner_name"] == BANK_NUSANTARA.name and uow.commits == 1


async def test_a_partner_on_offers_v1_gets_the_applicant_inline_within_the_consent() -> None:
    uow, clients = FakeReferralUow(), FakeClients()
    uow.catalogue.rows["bank-nusantara"] = replace(BANK_NUSANTARA, offer_version=1)
    client_id = known_client(uow)
    clients.profiles[client_id] = {
        "full_name": "Rina",
        "phone": "0812",
        "nik": "3273",
        "granted_at": MONDAY,
    }

    await bus_over(uow, clients).handle(_send(client_id))

    [offer] = uow.data_of(BANK, partner_contracts.ReferralOffered.TYPE)
    assert offer["applicant"] == {"kind": "worker", "full_name": "Rina", "phone": "0812"}


async def test_offers_v1_without_a_profile_is_no_consent() -> None:
    uow = FakeReferralUow()
    uow.catalogue.rows["bank-nusantara"] = replace(BANK_NUSANTARA, offer_version=1)
    refused = await _refused(uow, _send(known_client(uow)))
    assert refused.reason == "no-consent"


async def test_a_consent_the_events_have_not_brought_yet_is_asked_of_the_client_service() -> None:
    uow, clients = FakeReferralUow(), FakeClients()
    client_id, consent_id = uuid4(), uuid4()
    clients.bases[client_id] = ReferralBasis(
        "worker", "3273", date(1990, 1, 1), False, False, consent_id, ("contact",), MONDAY
    )

    referral = await bus_over(uow, clients).handle(_send(client_id))

    assert referral.consent_id == consent_id
    assert uow.projections.client_facts[client_id]["region_code"] == "3273"


async def test_a_client_outside_the_officer_s_region_is_not_found() -> None:
    uow = FakeReferralUow()
    client_id = known_client(uow)
    with pytest.raises(NotFound) as refused:
        await bus_over(uow).handle(replace(_send(client_id), actor=EKO))
    assert refused.value.what == "client" and uow.published == []


async def test_without_a_live_consent_nothing_is_sent() -> None:
    uow = FakeReferralUow()
    refused = await _refused(uow, _send(known_client(uow, consent=False)))
    assert (refused.reason, refused.detail) == (
        "no-consent",
        "The client has no live referral consent for this partner.",
    )


async def test_a_restricted_client_gets_no_referral() -> None:
    uow = FakeReferralUow()
    refused = await _refused(uow, _send(known_client(uow, restricted=True)))
    assert refused.reason == "client-restricted"


async def test_an_unknown_partner_or_product_names_its_field() -> None:
    uow = FakeReferralUow()
    client_id = known_client(uow)
    for command, field in (
        (replace(_send(client_id), partner_code="bank-lain"), "partner_code"),
        (_send(client_id, "gold-card"), "product_code"),
        (_send(client_id, fee_sheet_version="2025-01"), "fee_sheet_version"),
        (_send(client_id, options_shown=("bank-lain",)), "options_shown"),
    ):
        with pytest.raises(InvalidField) as refused:
            await bus_over(uow).handle(command)
        assert refused.value.field == field
    assert uow.published == []


async def test_a_partner_not_ready_or_not_licensed_is_refused() -> None:
    uow = FakeReferralUow()
    client_id = known_client(uow)
    uow.catalogue.rows["bank-nusantara"] = replace(BANK_NUSANTARA, status="provisioning")
    refused = await _refused(uow, _send(client_id))
    assert (refused.reason, refused.detail) == (
        "partner-not-ready",
        "The partner is provisioning: its credentials and topic are not in place.",
    )
    uow.catalogue.rows["bank-nusantara"] = replace(BANK_NUSANTARA, licence_status="suspended")
    refused = await _refused(uow, _send(client_id))
    assert (refused.reason, refused.detail) == (
        "licence-not-active",
        "The partner's licence is suspended.",
    )


async def test_a_second_open_referral_for_the_same_product_is_refused() -> None:
    uow = FakeReferralUow()
    client_id = known_client(uow)
    uow.referrals.put(a_referral(client_id, "bank-nusantara", "savings-basic", "acknowledge"))
    with pytest.raises(Refused) as refused:
        await bus_over(uow).handle(_send(client_id))
    assert refused.value.reason == "already-referred" and uow.published == []


async def test_an_ineligible_client_is_told_every_rule_it_fails() -> None:
    uow = FakeReferralUow()
    client_id = known_client(uow, kind="business", birth_date=date(2015, 1, 1))

    with pytest.raises(InvalidField) as refused:
        await bus_over(uow).handle(_send(client_id, "payroll-account"))

    assert refused.value.detail == "The client is not eligible for this product."
    assert [p.field for p in refused.value.problems] == [
        "eligibility.client_kind",
        "eligibility.min_age",
    ]
    assert uow.published == []
