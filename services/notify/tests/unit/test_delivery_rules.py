"""When and over what a message may go: quiet hours where the client lives, consent and
addresses per channel, and retries that back off with jitter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from notify.domain.model import Reach, RetryPolicy, deliver_at
from notify.service_layer import wording
from shared.calendar import local_now

WITA = ZoneInfo("Asia/Makassar")
WIB = ZoneInfo("Asia/Jakarta")
WIT = ZoneInfo("Asia/Jayapura")


@pytest.mark.parametrize(
    ("local_time", "region", "expected"),
    [
        # 22:30 WITA in Denpasar (Bali, province 51) → 07:00 WITA the next morning
        (
            datetime(2026, 12, 1, 22, 30, tzinfo=WITA),
            "5171",
            datetime(2026, 12, 2, 7, 0, tzinfo=WITA),
        ),
        # 22:30 WIB in Bandung (Jawa Barat, 32) → 07:00 WIB
        (
            datetime(2026, 12, 1, 22, 30, tzinfo=WIB),
            "3273",
            datetime(2026, 12, 2, 7, 0, tzinfo=WIB),
        ),
        # 05:59 WIT in Jayapura → 07:00 WIT the same day
        (datetime(2026, 12, 1, 5, 59, tzinfo=WIT), "9171", datetime(2026, 12, 1, 7, 0, tzinfo=WIT)),
        # the boundaries: 21:00 is quiet, 20:59 and 07:00 are not
        (datetime(2026, 12, 1, 21, 0, tzinfo=WIB), "3273", datetime(2026, 12, 2, 7, 0, tzinfo=WIB)),
        (
            datetime(2026, 12, 1, 20, 59, tzinfo=WIB),
            "3273",
            datetime(2026, 12, 1, 20, 59, tzinfo=WIB),
        ),
        (
            datetime(2026, 12, 1, 7, 0, tzinfo=WITA),
            "5171",
            datetime(2026, 12, 1, 7, 0, tzinfo=WITA),
        ),
    ],
)
def test_quiet_hours_defer_to_seven_in_the_client_s_own_zone(
    local_time: datetime, region: str, expected: datetime
) -> None:
    now = local_time.astimezone(UTC)  # the clock is UTC; the rule is local
    assert deliver_at(local_now(region, now)) == expected


def test_the_same_instant_is_quiet_in_bali_but_not_in_java() -> None:
    now = datetime(2026, 12, 1, 14, 30, tzinfo=UTC)  # 21:30 WIB, 22:30 WITA
    assert deliver_at(local_now("5171", now)) == datetime(2026, 12, 2, 7, 0, tzinfo=WITA)
    assert deliver_at(local_now("3273", now)) == datetime(2026, 12, 2, 7, 0, tzinfo=WIB)
    now = datetime(2026, 12, 1, 13, 30, tzinfo=UTC)  # 20:30 WIB, 21:30 WITA
    assert deliver_at(local_now("3273", now)) == now
    assert deliver_at(local_now("5171", now)) == datetime(2026, 12, 2, 7, 0, tzinfo=WITA)


def test_urgent_alerts_ignore_quiet_hours() -> None:
    now = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # 23:00 WIB
    assert deliver_at(local_now("3273", now), urgent=True) == now


def test_a_channel_needs_consent_and_an_address() -> None:
    reach = Reach(consented=frozenset({"sms", "email"}), has_phone=True, has_email=False)
    assert reach.refusal("sms") is None
    assert reach.refusal("whatsapp") == "no_consent"
    assert reach.refusal("email") == "no_email_address"
    assert Reach(frozenset({"sms"}), False, False).refusal("sms") == "no_phone_number"


def test_retries_back_off_exponentially_with_jitter_up_to_a_cap() -> None:
    policy = RetryPolicy(max_attempts=5, base=timedelta(seconds=2), cap=timedelta(seconds=30))
    lowest = [policy.delay(n, rand=lambda: 0.0) for n in range(1, 7)]
    highest = [policy.delay(n, rand=lambda: 1.0) for n in range(1, 7)]
    assert [d.total_seconds() for d in lowest] == [1, 2, 4, 8, 15, 15]
    assert [d.total_seconds() for d in highest] == [2, 4, 8, 16, 30, 30]
    assert not policy.exhausted(4) and policy.exhausted(5)


def test_times_read_in_the_client_s_zone_and_language() -> None:
    at = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    assert wording.when(at, "5171", "id") == "Sen, 7 Des 2026 09.00 WITA"
    assert wording.when(at, "3273", "en") == "Mon 7 Dec 2026 08:00 WIB"
