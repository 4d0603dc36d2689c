"""An erased client's referrals: every partner told to erase, confirmations, escalations.

The handlers run on the fake unit of work of `referral_fakes` (each repository hands out
copies, as the database would: a change counts only once saved); what a commit would write
to the outbox is kept in `published`, translated by the real `referral.adapters.publishing`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from referral_fakes import FakeReferralUow
from referral_scenario import MONDAY, a_referral, bus_over, known_client

from referral.domain.erasure import PartnerErasure
from referral.domain.referral import IllegalTransition, Referral
from referral.service_layer import commands, handlers
from shared.contracts import partner as partner_contracts
from shared.contracts import referral as referral_contracts
from shared.errors import Conflict, Gone, InvalidField, NotFound

FakeUnitOfWork = FakeReferralUow


ERASED_AT = MONDAY + timedelta(days=3)
ERASE_BY = ERASED_AT + timedelta(hours=72)
BANK = partner_contracts.topic_for("bank-nusantara")
WALLET = partner_contracts.topic_for("dompet-rakyat")


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


def _client_with_three_referrals(uow: FakeUnitOfWork) -> tuple[UUID, list[Referral]]:
    """An open referral and a completed one to the bank, a withdrawn one to the wallet."""
    client_id = uuid4()
    referrals = [
        a_referral(client_id, "bank-nusantara", "savings-basic"),
        a_referral(client_id, "bank-nusantara", "payroll-account", "acknowledge", "complete"),
        a_referral(client_id, "dompet-rakyat", "ewallet-account", "withdraw"),
    ]
    for referral in referrals:
        uow.referrals.put(referral)
    known = known_client(uow)
    uow.projections.client_facts[client_id] = uow.projections.client_facts.pop(known)
    for consent in uow.projections.consents.values():
        consent["client_id"] = client_id
    uow.projections.completed_trainings.add((client_id, "literasi-dasar"))
    return client_id, referrals


def _data(uow: FakeUnitOfWork, topic: str, event_type: str) -> list[dict[str, Any]]:
    return uow.data_of(topic, event_type)


async def test_erasing_a_client_ends_every_referral_and_tells_each_partner_to_erase_in_72_hours(
    uow: FakeUnitOfWork,
) -> None:
    client_id, referrals = _client_with_three_referrals(uow)
    stranger, _ = _client_with_three_referrals(uow)

    erased = await handlers.erase_client_referrals(client_id, ERASED_AT, uow)

    assert erased == 3
    for referral in referrals:
        stored = uow.referrals.rows[referral.id]
        assert stored.state == "erased"
        assert stored.external_ref is None
    told_bank = _data(uow, BANK, partner_contracts.ReferralErased.TYPE)
    told_wallet = _data(uow, WALLET, partner_contracts.ReferralErased.TYPE)
    assert sorted(e["referral_id"] for e in told_bank) == sorted(str(r.id) for r in referrals[:2])
    assert [e["referral_id"] for e in told_wallet] == [str(referrals[2].id)]
    for event in told_bank + told_wallet:
        assert datetime.fromisoformat(event["erase_by"]) == ERASE_BY
        assert datetime.fromisoformat(event["erased_at"]) == ERASED_AT
        assert event["confirm_url"] == f"/api/partner/referrals/{event['referral_id']}/erased"
    requested = _data(
        uow, referral_contracts.TOPIC, referral_contracts.ReferralErasureRequested.TYPE
    )
    assert sorted(e["partner_kind"] for e in requested) == ["bank", "bank", "e-money"]
    assert {e["client_id"] for e in requested} == {str(client_id)}
    assert not uow.projections.knows(client_id)
    assert uow.projections.knows(stranger)
    assert all(r.state != "erased" for r in uow.referrals.rows.values() if r.client_id == stranger)


async def test_an_erasure_announces_no_withdrawal_so_the_ministry_s_counts_stay_as_they_were(
    uow: FakeUnitOfWork,
) -> None:
    client_id, _ = _client_with_three_referrals(uow)

    await handlers.erase_client_referrals(client_id, ERASED_AT, uow)

    assert set(uow.types_on(referral_contracts.TOPIC)) == {
        referral_contracts.ReferralErasureRequested.TYPE
    }
    assert set(uow.types_on(BANK)) | set(uow.types_on(WALLET)) == {
        partner_contracts.ReferralErased.TYPE
    }


async def test_the_same_erasure_arriving_again_changes_nothing(uow: FakeUnitOfWork) -> None:
    client_id, _ = _client_with_three_referrals(uow)
    await handlers.erase_client_referrals(client_id, ERASED_AT, uow)
    published, erasures = list(uow.published), dict(uow.erasures.rows)

    again = await handlers.erase_client_referrals(client_id, ERASED_AT, uow)

    assert again == 0
    assert uow.published == published
    assert uow.erasures.rows == erasures


async def test_an_erased_referral_takes_no_answer_and_shows_no_applicant(
    uow: FakeUnitOfWork,
) -> None:
    client_id, referrals = _client_with_three_referrals(uow)
    await handlers.erase_client_referrals(client_id, ERASED_AT, uow)
    erased = uow.referrals.rows[referrals[0].id]

    with pytest.raises(IllegalTransition):
        erased.acknowledge(ERASED_AT)
    with pytest.raises(IllegalTransition):
        erased.withdraw(ERASED_AT, "officer_withdrew")
    with pytest.raises(Gone):
        await bus_over(uow, now=ERASED_AT).handle(
            commands.ReadApplicant("bank-nusantara", erased.id)
        )


async def _erased(uow: FakeUnitOfWork) -> Referral:
    client_id, referrals = _client_with_three_referrals(uow)
    await handlers.erase_client_referrals(client_id, ERASED_AT, uow)
    uow.published.clear()
    return referrals[0]


async def _confirm(
    uow: FakeUnitOfWork,
    referral: Referral,
    at: datetime,
    partner: str = "bank-nusantara",
    erased_at: datetime | None = None,
) -> PartnerErasure:
    command = commands.ConfirmErasure(partner, referral.id, erased_at)
    return await bus_over(uow, now=at).handle(command)


async def test_a_partner_confirms_once_and_a_second_confirmation_changes_nothing(
    uow: FakeUnitOfWork,
) -> None:
    referral = await _erased(uow)
    first_at = ERASED_AT + timedelta(hours=5)

    first = await _confirm(uow, referral, first_at, erased_at=first_at - timedelta(hours=1))
    second = await _confirm(uow, referral, first_at + timedelta(hours=1))

    assert first.confirmed_at == second.confirmed_at == first_at
    assert first.erased_at == second.erased_at == first_at - timedelta(hours=1)
    assert first.in_time is True and second.in_time is True
    [confirmed] = _data(
        uow, referral_contracts.TOPIC, referral_contracts.ReferralErasureConfirmed.TYPE
    )
    assert confirmed["referral_id"] == str(referral.id)
    assert confirmed["in_time"] is True
    assert confirmed["partner_kind"] == "bank"
    assert datetime.fromisoformat(confirmed["requested_at"]) == ERASED_AT
    assert len(uow.published) == 1


async def test_a_confirmation_after_erase_by_is_recorded_as_late(uow: FakeUnitOfWork) -> None:
    referral = await _erased(uow)

    late = await _confirm(uow, referral, ERASE_BY + timedelta(seconds=1))

    assert late.in_time is False
    [confirmed] = _data(
        uow, referral_contracts.TOPIC, referral_contracts.ReferralErasureConfirmed.TYPE
    )
    assert confirmed["in_time"] is False


async def test_another_partner_confirming_finds_no_such_referral(uow: FakeUnitOfWork) -> None:
    referral = await _erased(uow)

    with pytest.raises(NotFound):
        await _confirm(uow, referral, ERASED_AT, partner="dompet-rakyat")

    assert uow.erasures.rows[referral.id].confirmed_at is None
    assert uow.published == []


async def test_confirming_what_nobody_asked_to_erase_is_a_conflict(uow: FakeUnitOfWork) -> None:
    referral = a_referral(uuid4(), "bank-nusantara", "savings-basic", "acknowledge")
    uow.referrals.put(referral)

    with pytest.raises(Conflict) as refused:
        await _confirm(uow, referral, ERASED_AT)

    assert refused.value.reason == "no-erasure-requested"
    assert refused.value.detail == "No erasure was asked of you for this referral."
    assert uow.published == []


async def test_an_erasure_said_to_have_happened_in_the_future_is_refused_naming_the_field(
    uow: FakeUnitOfWork,
) -> None:
    referral = await _erased(uow)
    now = ERASED_AT + timedelta(hours=1)

    with pytest.raises(InvalidField) as refused:
        await _confirm(uow, referral, now, erased_at=now + timedelta(hours=1))

    assert refused.value.field == "erased_at"
    assert uow.erasures.rows[referral.id].confirmed_at is None
    # A partner's clock a minute ahead of ours is no mistake.
    accepted = await _confirm(uow, referral, now, erased_at=now + timedelta(minutes=1))
    assert accepted.confirmed_at == now


async def test_an_unconfirmed_erasure_escalates_once_after_its_deadline_and_only_internally(
    uow: FakeUnitOfWork,
) -> None:
    client_id, _ = _client_with_three_referrals(uow)
    await handlers.erase_client_referrals(client_id, ERASED_AT, uow)
    uow.published.clear()

    at_deadline = await handlers.escalate_overdue_erasures(uow, ERASE_BY)
    after = await handlers.escalate_overdue_erasures(uow, ERASE_BY + timedelta(seconds=1))
    again = await handlers.escalate_overdue_erasures(uow, ERASE_BY + timedelta(hours=1))

    assert (at_deadline, after, again) == (0, 3, 0)
    overdue = _data(uow, referral_contracts.TOPIC, referral_contracts.ReferralErasureOverdue.TYPE)
    assert len(overdue) == 3
    assert {e["region_code"] for e in overdue} == {"3273"}
    assert uow.types_on(BANK) == [] and uow.types_on(WALLET) == []


async def test_a_confirmed_erasure_is_never_escalated(uow: FakeUnitOfWork) -> None:
    referral = await _erased(uow)
    await _confirm(uow, referral, ERASED_AT + timedelta(hours=1))
    uow.published.clear()

    escalated = await handlers.escalate_overdue_erasures(uow, ERASE_BY + timedelta(days=1))

    assert escalated == 2  # the client's two other referrals, not the confirmed one
    overdue = _data(uow, referral_contracts.TOPIC, referral_contracts.ReferralErasureOverdue.TYPE)
    assert str(referral.id) not in {e["referral_id"] for e in overdue}


def test_a_confirmation_after_an_escalation_is_still_recorded_but_late() -> None:
    referral = a_referral(uuid4(), "bank-nusantara", "savings-basic")
    erasure = PartnerErasure.ask(referral, "bank", ERASED_AT)

    assert erasure.escalate_if_overdue(ERASE_BY + timedelta(minutes=1))
    assert erasure.confirm(ERASE_BY + timedelta(hours=2))

    assert erasure.in_time is False
    assert not erasure.escalate_if_overdue(ERASE_BY + timedelta(days=1))
