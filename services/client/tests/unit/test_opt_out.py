"""A client's STOP withdraws only the notifications consents granted before they sent it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from client.domain.consent import Consent
from client.service_layer.opt_out import stopped_by

CLIENT = uuid4()
STOP_SENT = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)


def _consent(purpose: str, granted_at: datetime, *, withdrawn: bool = False) -> Consent:
    return Consent(
        id=uuid4(),
        client_id=CLIENT,
        purpose=purpose,
        partner_code="bank-nusantara" if purpose == "referral" else None,
        scope=("contact",) if purpose == "referral" else (),
        channels=("sms",) if purpose == "notifications" else (),
        text_version="2026-01",
        granted_at=granted_at,
        granted_by="siti",
        withdrawn_at=granted_at + timedelta(minutes=1) if withdrawn else None,
    )


def test_a_stop_withdraws_the_notifications_consents_granted_before_it() -> None:
    before = _consent("notifications", STOP_SENT - timedelta(days=3))
    at_the_same_second = _consent("notifications", STOP_SENT)
    assert stopped_by([before, at_the_same_second], STOP_SENT) == [before, at_the_same_second]


def test_a_consent_granted_after_the_stop_was_sent_survives_a_late_or_replayed_stop() -> None:
    old = _consent("notifications", STOP_SENT - timedelta(hours=1), withdrawn=True)
    granted_again = _consent("notifications", STOP_SENT + timedelta(seconds=1))
    assert stopped_by([old, granted_again], STOP_SENT) == []


def test_a_stop_leaves_other_purposes_alone() -> None:
    referral = _consent("referral", STOP_SENT - timedelta(days=1))
    case_management = _consent("case_management", STOP_SENT - timedelta(days=1))
    assert stopped_by([referral, case_management], STOP_SENT) == []
