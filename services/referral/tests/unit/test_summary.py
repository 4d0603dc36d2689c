"""The supervisor's per-partner figures are withheld like the ministry's."""

from __future__ import annotations

from referral.domain.summary import PartnerMonth, publish


def _month(sent: int, completed: int, breaches: int) -> PartnerMonth:
    return PartnerMonth("bank-nusantara", "Bank Nusantara", sent, completed, breaches)


def test_counts_from_one_to_four_are_withheld_and_zero_is_printed() -> None:
    shown = publish(_month(sent=4, completed=0, breaches=3))
    assert (shown.sent, shown.completed, shown.sla_breaches) == (None, 0, None)
    assert shown.conversion is None


def test_conversion_needs_both_counts_printed_and_at_least_five() -> None:
    assert publish(_month(sent=20, completed=5, breaches=0)).conversion == 0.25
    assert publish(_month(sent=20, completed=4, breaches=0)).conversion is None  # 4 withheld
    assert publish(_month(sent=20, completed=0, breaches=0)).conversion is None  # 0 of 20
    assert publish(_month(sent=7, completed=6, breaches=9)).sla_breaches == 9
