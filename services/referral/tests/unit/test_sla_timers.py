"""The SLA timers: a referral unacknowledged past its respond-by day expires and escalates;
an acknowledged one without an outcome after 10 working days escalates once. (Overdue
erasures: test_partner_erasure.py.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from referral_fakes import FakeReferralUow
from referral_scenario import MONDAY, a_referral

from referral.service_layer import handlers
from shared.contracts import partner as partner_contracts
from shared.contracts import referral as referral_contracts

BANK = partner_contracts.topic_for("bank-nusantara")


async def test_an_unacknowledged_referral_expires_after_its_respond_by_day_and_escalates() -> None:
    uow = FakeReferralUow()
    late, answered = a_referral(), a_referral(None, "bank-nusantara", "kur-mikro", "acknowledge")
    uow.referrals.put(late)
    uow.referrals.put(answered)
    wednesday_evening = datetime(
        2026, 12, 23, 16, 0, tzinfo=UTC
    )  # 23:00 in Bandung, still the respond-by day

    assert await handlers.expire_late_referrals(uow, MONDAY + timedelta(days=2)) == 0
    expired = await handlers.expire_late_referrals(uow, wednesday_evening + timedelta(hours=1))

    assert expired == 1 and uow.referrals.rows[late.id].state == "expired"
    assert uow.referrals.rows[answered.id].state == "acknowledged"
    assert uow.types_on(referral_contracts.TOPIC) == [
        referral_contracts.ReferralWithdrawn.TYPE,
        referral_contracts.ReferralEscalated.TYPE,
    ]
    assert uow.types_on(BANK) == [partner_contracts.ReferralWithdrawn.TYPE]
    [escalated] = uow.data_of(referral_contracts.TOPIC, referral_contracts.ReferralEscalated.TYPE)
    assert escalated["breach"] == "not_acknowledged" and escalated["referred_by"] == "siti"


async def test_a_late_outcome_is_escalated_once() -> None:
    uow = FakeReferralUow()
    waiting = a_referral(None, "bank-nusantara", "savings-basic", "acknowledge")
    uow.referrals.put(waiting)
    on_time = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # the 10th working day
    late = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)

    assert await handlers.remind_late_outcomes(uow, on_time, frozenset()) == 0
    assert await handlers.remind_late_outcomes(uow, late, frozenset()) == 1
    assert await handlers.remind_late_outcomes(uow, late + timedelta(days=1), frozenset()) == 0

    [escalated] = uow.data_of(referral_contracts.TOPIC, referral_contracts.ReferralEscalated.TYPE)
    assert escalated["breach"] == "outcome_late"
    assert uow.referrals.reminded == {waiting.id: late}
    assert uow.types_on(BANK) == []
