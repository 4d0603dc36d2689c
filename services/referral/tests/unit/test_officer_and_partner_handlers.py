"""The officers' reads and withdrawal, the month's summary, and the partner's side: its own
referrals only, its answers through the lifecycle, and the applicant while the referral is
open. (Sending is test_send_referral.py; erasures, test_partner_erasure.py.)"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

import pytest
from referral_fakes import FakeClients, FakeReferralUow
from referral_scenario import EKO, MONDAY, SITI, a_referral, bus_over

from referral.domain.demo_catalogue import BANK_NUSANTARA
from referral.domain.referral import IllegalTransition
from referral.service_layer import commands
from shared.contracts import partner as partner_contracts
from shared.contracts import referral as referral_contracts
from shared.errors import Conflict, Gone, InvalidField, NotFound

BANK = partner_contracts.topic_for("bank-nusantara")
LATER = MONDAY + timedelta(hours=2)


async def test_officers_list_and_read_their_region_s_referrals_only() -> None:
    uow = FakeReferralUow()
    here, there = a_referral(), a_referral(region_code="3578")
    uow.referrals.put(here)
    uow.referrals.put(there)
    bus = bus_over(uow)

    listed = await bus.handle(commands.ListReferrals(SITI, mine_only=True))
    seen = await bus.handle(commands.ViewReferral(SITI, here.id))

    assert [r.id for r in listed] == [here.id] and seen.id == here.id
    with pytest.raises(NotFound) as refused:
        await bus.handle(commands.ViewReferral(SITI, there.id))
    assert refused.value.what == "referral"
    assert await bus.handle(commands.ListReferrals(EKO)) == [uow.referrals.rows[there.id]]


async def test_withdrawing_tells_the_partner_to_erase_the_offer() -> None:
    uow = FakeReferralUow()
    referral = a_referral()
    uow.referrals.put(referral)

    withdrawn = await bus_over(uow, now=LATER).handle(commands.WithdrawReferral(SITI, referral.id))

    assert withdrawn.state == "withdrawn" == uow.referrals.rows[referral.id].state
    assert [(t, e.type) for t, e in uow.published] == [
        (referral_contracts.TOPIC, referral_contracts.ReferralWithdrawn.TYPE),
        (BANK, partner_contracts.ReferralWithdrawn.TYPE),
    ]
    [told] = uow.data_of(BANK, partner_contracts.ReferralWithdrawn.TYPE)
    assert told["reason"] == "officer_withdrew"


async def test_an_offboarded_partner_s_topic_gets_nothing_more() -> None:
    uow = FakeReferralUow()
    uow.catalogue.rows["bank-nusantara"] = replace(BANK_NUSANTARA, status="offboarded")
    referral = a_referral()
    uow.referrals.put(referral)

    await bus_over(uow).handle(commands.WithdrawReferral(SITI, referral.id))

    assert uow.types_on(BANK) == []
    assert uow.types_on(referral_contracts.TOPIC) == [referral_contracts.ReferralWithdrawn.TYPE]


async def test_withdrawing_twice_is_an_illegal_transition_naming_the_state() -> None:
    uow = FakeReferralUow()
    referral = a_referral(None, "bank-nusantara", "savings-basic", "withdraw")
    uow.referrals.put(referral)

    with pytest.raises(Conflict) as refused:
        await bus_over(uow).handle(commands.WithdrawReferral(SITI, referral.id))

    assert isinstance(refused.value, IllegalTransition)
    assert refused.value.reason == "illegal-transition"
    assert refused.value.facts == {"state": "withdrawn"}
    assert refused.value.detail == "a withdrawn referral cannot be withdrawd"
    with pytest.raises(NotFound):
        await bus_over(uow).handle(commands.WithdrawReferral(EKO, referral.id))
    assert uow.published == []


async def test_the_month_s_summary_counts_the_region_s_referrals_per_partner() -> None:
    uow = FakeReferralUow()
    for _ in range(5):
        uow.referrals.put(a_referral())
    uow.referrals.put(a_referral(region_code="3578"))

    [month] = await bus_over(uow).handle(commands.SummariseMonth(SITI, "2026-12"))

    assert (month.partner_code, month.sent, month.completed) == ("bank-nusantara", 5, 0)
    assert await bus_over(uow).handle(commands.SummariseMonth(SITI, "2026-11")) == []


async def test_a_partner_sees_its_own_referrals_only() -> None:
    uow = FakeReferralUow()
    mine, theirs = a_referral(), a_referral(None, "dompet-rakyat", "ewallet-account")
    uow.referrals.put(mine)
    uow.referrals.put(theirs)
    bus = bus_over(uow)

    listed = await bus.handle(commands.PartnerReferrals("bank-nusantara", order="newest"))
    seen = await bus.handle(commands.PartnerReferral("bank-nusantara", mine.id))

    assert [r.id for r in listed] == [mine.id] and seen.id == mine.id
    with pytest.raises(NotFound):
        await bus.handle(commands.PartnerReferral("bank-nusantara", theirs.id))


async def test_a_partner_acknowledges_then_completes() -> None:
    uow = FakeReferralUow()
    referral = a_referral()
    uow.referrals.put(referral)
    bus = bus_over(uow, now=LATER)

    await bus.handle(
        commands.AnswerReferral("bank-nusantara", referral.id, "acknowledged", external_ref="X1")
    )
    done = await bus.handle(
        commands.AnswerReferral("bank-nusantara", referral.id, "completed", "account_opened")
    )

    assert (done.state, done.outcome, done.external_ref) == ("completed", "account_opened", "X1")
    assert uow.types_on(referral_contracts.TOPIC) == [
        referral_contracts.ReferralAcknowledged.TYPE,
        referral_contracts.ReferralCompleted.TYPE,
    ]
    assert uow.types_on(BANK) == []


async def test_a_partner_s_wrong_answer_is_refused_and_changes_nothing() -> None:
    uow = FakeReferralUow()
    referral = a_referral()
    uow.referrals.put(referral)
    bus = bus_over(uow)

    with pytest.raises(InvalidField) as invalid:
        await bus.handle(
            commands.AnswerReferral("bank-nusantara", referral.id, "declined", reason="bored")
        )
    assert invalid.value.field == "reason"
    with pytest.raises(IllegalTransition) as illegal:
        await bus.handle(
            commands.AnswerReferral("bank-nusantara", referral.id, "completed", "account_opened")
        )
    assert illegal.value.facts == {"state": "sent"}
    with pytest.raises(NotFound):
        await bus.handle(commands.AnswerReferral("dompet-rakyat", referral.id, "acknowledged"))
    assert uow.referrals.rows[referral.id].state == "sent" and uow.published == []


async def test_the_applicant_is_read_within_the_consent_while_the_referral_is_open() -> None:
    uow, clients = FakeReferralUow(), FakeClients()
    referral, ended = a_referral(), a_referral(None, "bank-nusantara", "kur-mikro", "withdraw")
    uow.referrals.put(referral)
    uow.referrals.put(ended)
    clients.profiles[referral.client_id] = {
        "kind": "worker",
        "full_name": "Rina",
        "nik": "3273",
        "scope": ["contact"],
        "granted_at": MONDAY,
    }
    bus = bus_over(uow, clients)

    found = await bus.handle(commands.ReadApplicant("bank-nusantara", referral.id))

    assert found == {"kind": "worker", "full_name": "Rina"}
    assert clients.reads == [(referral.client_id, "bank-nusantara", referral.id)]
    for referral_id in (ended.id,):
        with pytest.raises(Gone) as gone:
            await bus.handle(commands.ReadApplicant("bank-nusantara", referral_id))
        assert gone.value.detail == "The referral ended or its consent was withdrawn."
    del clients.profiles[referral.client_id]  # the consent was withdrawn meanwhile
    with pytest.raises(Gone):
        await bus.handle(commands.ReadApplicant("bank-nusantara", referral.id))
    with pytest.raises(NotFound):
        await bus.handle(commands.ReadApplicant("dompet-rakyat", uuid4()))
