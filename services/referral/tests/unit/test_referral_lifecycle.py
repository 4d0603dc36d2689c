"""The referral state machine, over the whole transition table, with a controllable clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from referral.domain.referral import (
    ACTIONS,
    STATES,
    TRANSITIONS,
    IllegalTransition,
    Referral,
)
from shared.calendar import WorkingCalendar

# Monday 21 December 2026, 10:00 WIB. Thursday 24 (joint leave) and Friday 25 (Christmas).
MONDAY = datetime(2026, 12, 21, 3, 0, tzinfo=UTC)
HOLIDAYS = frozenset({date(2026, 12, 24), date(2026, 12, 25)})
CALENDAR = WorkingCalendar(HOLIDAYS)


def _sent(now: datetime = MONDAY) -> Referral:
    return Referral.send(
        client_id=uuid4(),
        region_code="3273",
        partner_code="bank-nusantara",
        product_code="savings-basic",
        consent_id=uuid4(),
        fee_sheet_version="2026-01",
        options_shown=("dompet-rakyat",),
        sent_by="siti",
        now=now,
        calendar=CALENDAR,
    )


def _in_state(state: str) -> Referral:
    referral = _sent()
    path = {
        "sent": [],
        "acknowledged": ["acknowledge"],
        "completed": ["acknowledge", "complete"],
        "declined": ["acknowledge", "decline"],
        "withdrawn": ["withdraw"],
        "expired": ["expire"],
        "erased": ["acknowledge", "complete", "erase"],
    }[state]
    for action in path:
        _do(referral, action, MONDAY)
    assert referral.state == state
    return referral


def _do(referral: Referral, action: str, now: datetime) -> None:
    if action == "acknowledge":
        referral.acknowledge(now, external_ref="BN-123")
    elif action == "complete":
        referral.complete(now, "account_opened")
    elif action == "decline":
        referral.decline(now, "documents_missing")
    elif action == "withdraw":
        referral.withdraw(now, "officer_withdrew")
    elif action == "expire":
        referral._apply("expire", now, reason="expired")
    elif action == "erase":
        referral.erase(now)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_cell_of_the_transition_table(state: str, action: str) -> None:
    referral = _in_state(state)
    expected = TRANSITIONS[state].get(action)
    if expected is None:
        with pytest.raises(IllegalTransition):
            _do(referral, action, MONDAY)
        assert referral.state == state
    else:
        _do(referral, action, MONDAY)
        assert referral.state == expected
        assert referral.events[-1].state == expected


def test_the_client_choice_records_every_partner_shown() -> None:
    assert _sent().options_shown == ("bank-nusantara", "dompet-rakyat")


def test_acknowledgement_is_due_two_working_days_later_skipping_holidays() -> None:
    # Monday 21 → Tuesday 22 (1), Wednesday 23 (2).
    assert _sent().respond_by == date(2026, 12, 23)
    # Wednesday 23 → Thursday 24 and Friday 25 are holidays, 26-27 a weekend: Mon 28, Tue 29.
    assert _sent(MONDAY + timedelta(days=2)).respond_by == date(2026, 12, 29)


def test_an_unacknowledged_referral_expires_only_after_its_respond_by_day() -> None:
    referral = _sent(MONDAY + timedelta(days=2))  # respond by Tuesday 29
    last_minute = datetime(2026, 12, 29, 16, 59, tzinfo=UTC)  # 23:59 WIB
    assert not referral.expire_if_late(last_minute, CALENDAR)
    assert referral.state == "sent"
    next_day = datetime(2026, 12, 29, 17, 0, tzinfo=UTC)  # the 30th, 00:00 WIB
    assert referral.expire_if_late(next_day, CALENDAR)
    assert referral.state == "expired"
    assert referral.events[-1].detail["reason"] == "expired"


def test_an_acknowledged_referral_never_expires() -> None:
    referral = _in_state("acknowledged")
    assert not referral.expire_if_late(MONDAY + timedelta(days=30), CALENDAR)


def test_a_withdrawal_obliges_the_partner_to_erase_within_72_hours() -> None:
    referral = _sent()
    assert referral.erase_by is None  # open: nothing to erase yet
    erase_by = referral.withdraw(MONDAY, "consent_withdrawn")
    assert erase_by == MONDAY + timedelta(hours=72)
    assert referral.events[-1].detail["erase_by"] == erase_by.isoformat()
    assert referral.erase_by == erase_by  # what the officer's page shows


def test_an_answered_referral_has_no_erasure_deadline_until_the_client_is_erased() -> None:
    referral = _in_state("acknowledged")
    referral.complete(MONDAY, "account_opened")
    assert referral.erase_by is None
    assert referral.erase(MONDAY + timedelta(days=1)) == referral.erase_by


def test_a_late_outcome_is_noticed_after_ten_working_days() -> None:
    referral = _in_state("acknowledged")
    assert not referral.outcome_is_late(MONDAY + timedelta(days=7), CALENDAR)
    assert referral.outcome_is_late(MONDAY + timedelta(days=21), CALENDAR)


def test_unknown_outcomes_and_reasons_are_refused() -> None:
    with pytest.raises(ValueError):
        _in_state("acknowledged").complete(MONDAY, "became_rich")
    with pytest.raises(ValueError):
        _in_state("acknowledged").decline(MONDAY, "did_not_like_them")


def test_a_referral_acknowledged_but_never_completed_is_late_only_once_past_ten_working_days() -> (
    None
):
    referral = _in_state("acknowledged")
    # Monday 21 Dec + 10 working days, skipping 24-25 Dec and two weekends: Wednesday 6 Jan.
    assert not referral.outcome_is_late(datetime(2027, 1, 6, 10, 0, tzinfo=UTC), CALENDAR)
    assert referral.outcome_is_late(datetime(2027, 1, 7, 10, 0, tzinfo=UTC), CALENDAR)
