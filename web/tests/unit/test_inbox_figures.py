"""A partner's own service level in the inbox, counted in the referring office's time."""

from __future__ import annotations

from datetime import UTC, datetime

from portal.pages.inbox import figures, overdue

NOW = datetime(2026, 12, 10, 3, 0, tzinfo=UTC)  # 10:00 WIB, 12:00 WIT on Thursday


def _referral(state: str, respond_by: str, region: str = "3273", **more: str) -> dict[str, str]:
    return {
        "state": state,
        "respond_by": respond_by,
        "office_region_code": region,
        "sent_at": "2026-12-07T02:00:00Z",
    } | more


def test_a_referral_is_overdue_only_unacknowledged_after_its_day_in_the_office_zone() -> None:
    assert overdue(_referral("sent", "2026-12-09"), NOW)
    assert not overdue(_referral("sent", "2026-12-10"), NOW)  # its day is today
    assert not overdue(_referral("acknowledged", "2026-12-09"), NOW)
    # 23:30 on 9 December in Jakarta is already the 10th in Jayapura (WIT)
    late_evening = datetime(2026, 12, 9, 16, 30, tzinfo=UTC)
    assert not overdue(_referral("sent", "2026-12-09"), late_evening)
    assert overdue(_referral("sent", "2026-12-09", region="9471"), late_evening)


def test_the_service_level_counts_what_waits_and_how_fast_acknowledgements_came() -> None:
    acknowledged = [
        _referral("acknowledged", "2026-12-09", acknowledged_at=f"2026-12-07T{h:02d}:00:00Z")
        for h in (3, 4, 6)  # 1, 2 and 4 hours after sending
    ]
    late = _referral("completed", "2026-12-08", acknowledged_at="2026-12-09T02:00:00Z")
    waiting = [_referral("sent", "2026-12-09"), _referral("sent", "2026-12-11")]
    recent = [*acknowledged, late, waiting[0], _referral("expired", "2026-12-08")]
    assert figures(recent, waiting, NOW) == {
        "waiting": 2,
        "overdue": 1,  # the one due on the 9th
        "median_hours": 3.0,  # of 1, 2, 4 and 48
        "in_time": 3,  # the completed one was acknowledged a day after its day
        "answered": 5,  # four acknowledged, one expired
        "expired": 1,
    }
