"""Referral's reactions, each event delivered as the worker would (a CloudEvent through the
bus's consumer table): the projections of clients, consents and trainings, a withdrawn
consent ending its referrals, a restriction, and an erasure."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from referral_fakes import FakeReferralUow
from referral_scenario import FakeKeys, a_referral, bus_over, deliver

from shared.contracts import Contract
from shared.contracts import client as client_contracts
from shared.contracts import partner as partner_contracts
from shared.contracts import referral as referral_contracts
from shared.contracts import training as training_contracts

BANK = partner_contracts.topic_for("bank-nusantara")


def _event(contract: type[Contract], **changes: Any) -> Any:
    return contract.model_validate(contract.EXAMPLE | changes)


async def test_a_registration_is_remembered_with_its_eligibility_facts() -> None:
    uow = FakeReferralUow()
    client_id = uuid4()
    await deliver(bus_over(uow), _event(client_contracts.ClientRegistered, client_id=client_id))
    facts = uow.projections.client_facts[client_id]
    assert (facts["kind"], facts["region_code"], facts["birth_date"]) == (
        "worker",
        "3273",
        date(1990, 4, 12),
    )
    assert facts["has_nib"] is False and uow.published == []


async def test_a_sealed_registration_is_opened_and_an_erased_client_s_is_not() -> None:
    uow, keys = FakeReferralUow(), FakeKeys()
    bus = bus_over(uow, keys=keys)
    known, erased = uuid4(), uuid4()
    contact = client_contracts.ClientRegistered.EXAMPLE["contact"]
    keys.values[known] = {
        "full_name": "Dedi Kurniawan",
        "sex": "M",
        "birth_date": "1985-02-03",
        "disability": False,
        "contact": contact,
    }
    for client_id in (known, erased):
        await deliver(bus, _event(client_contracts.ClientRegisteredV2, client_id=client_id))
    assert set(uow.projections.client_facts) == {known}
    assert uow.projections.client_facts[known]["birth_date"] == date(1985, 2, 3)


async def test_a_move_follows_the_client_and_other_updates_change_nothing() -> None:
    uow = FakeReferralUow()
    bus = bus_over(uow)
    client_id = uuid4()
    await deliver(bus, _event(client_contracts.ClientRegistered, client_id=client_id))
    for contract, region in (
        (client_contracts.ClientUpdated, "3578"),
        (client_contracts.ClientUpdatedV2, "3579"),
    ):
        changed = _event(contract, client_id=client_id, region_code=region, fields=["phone"])
        await deliver(bus, changed)
        assert uow.projections.client_facts[client_id]["region_code"] != region
        moved = _event(contract, client_id=client_id, region_code=region, fields=["region_code"])
        await deliver(bus, moved)
        assert uow.projections.client_facts[client_id]["region_code"] == region


async def test_a_referral_consent_is_remembered_and_other_purposes_are_not() -> None:
    uow = FakeReferralUow()
    bus = bus_over(uow)
    client_id = uuid4()
    await deliver(bus, _event(client_contracts.ConsentGranted, client_id=client_id))
    await deliver(
        bus,
        _event(client_contracts.ConsentGranted, consent_id=uuid4(), purpose="notifications"),
    )
    consent = await uow.projections.live_consent(client_id, "bank-nusantara")
    assert consent is not None and consent.scope == ("contact", "identity")
    assert len(uow.projections.consents) == 1


async def test_a_withdrawn_consent_withdraws_the_open_referrals_to_that_partner() -> None:
    uow = FakeReferralUow()
    bus = bus_over(uow)
    granted = _event(client_contracts.ConsentGranted)
    client_id: UUID = granted.client_id
    await deliver(bus, granted)
    open_one, done = (
        a_referral(client_id),
        a_referral(client_id, "bank-nusantara", "kur-mikro", "acknowledge", "complete"),
    )
    other = a_referral(client_id, "dompet-rakyat", "ewallet-account")
    for referral in (open_one, done, other):
        uow.referrals.put(referral)

    await deliver(bus, _event(client_contracts.ConsentWithdrawn))

    assert await uow.projections.live_consent(client_id, "bank-nusantara") is None
    states = {r.id: r.state for r in uow.referrals.rows.values()}
    assert states == {open_one.id: "withdrawn", done.id: "completed", other.id: "sent"}
    assert uow.types_on(referral_contracts.TOPIC) == [referral_contracts.ReferralWithdrawn.TYPE]
    assert uow.types_on(BANK) == [partner_contracts.ReferralWithdrawn.TYPE]
    assert uow.commits == 1


async def test_a_completed_training_of_a_client_is_remembered_and_an_officer_s_is_not() -> None:
    uow = FakeReferralUow()
    bus = bus_over(uow)
    completed = _event(training_contracts.TrainingCompleted)
    await deliver(bus, completed)
    await deliver(
        bus,
        _event(
            training_contracts.TrainingCompleted,
            participant_kind="officer",
            client_id=None,
            officer_id=str(uuid4()),
        ),
    )
    assert uow.projections.completed_trainings == {
        (completed.client_id, "literasi-keuangan-digital")
    }


async def test_a_restriction_is_followed_both_ways() -> None:
    uow = FakeReferralUow()
    bus = bus_over(uow)
    restricted = _event(client_contracts.ClientRestricted)
    await deliver(bus, _event(client_contracts.ClientRegistered))
    await deliver(bus, restricted)
    assert uow.projections.client_facts[restricted.client_id]["restricted"] is True
    await deliver(bus, _event(client_contracts.ClientRestricted, restricted=False))
    assert uow.projections.client_facts[restricted.client_id]["restricted"] is False


async def test_an_erasure_forgets_the_key_ends_the_referrals_and_asks_the_partner() -> None:
    uow, keys = FakeReferralUow(), FakeKeys()
    erased = _event(client_contracts.ClientErased)
    referral = a_referral(erased.client_id)
    uow.referrals.put(referral)

    await deliver(bus_over(uow, keys=keys), erased)

    assert keys.forgotten == [erased.client_id]
    assert uow.referrals.rows[referral.id].state == "erased"
    assert uow.types_on(BANK) == [partner_contracts.ReferralErased.TYPE]
    assert uow.types_on(referral_contracts.TOPIC) == [
        referral_contracts.ReferralErasureRequested.TYPE
    ]
