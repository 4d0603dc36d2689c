"""Supervisors hear of an erasure a partner left unconfirmed: by email, at once, in Indonesian."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from notify.adapters import templates
from notify.domain.model import Notification
from notify.service_layer import reactions
from notify.service_layer.planning import Rules, Work
from shared.contracts import referral as referral_contracts
from shared.messaging.envelope import Envelope

# 23:30 WIB: quiet hours in Bandung, which an urgent alert does not wait for.
LATE_EVENING = datetime(2026, 12, 10, 16, 30, tzinfo=UTC)


class RecordingBook:
    """The one thing `alert_supervisors` asks of the planning book: what it planned."""

    def __init__(self) -> None:
        self.planned: list[Notification] = []

    def plan(self, notification: Notification, announce_at: datetime | None = None) -> None:
        self.planned.append(notification)


def _event(contract: Any, **changes: Any) -> Envelope:
    """The contract's example as an event of the referral service, with `changes`."""
    data = contract.EXAMPLE | changes
    return Envelope(
        type=contract.TYPE,
        source=referral_contracts.SOURCE,
        subject=f"referral/{data['referral_id']}",
        key=data["client_id"],
        data=data,
    )


def _overdue(**changes: Any) -> Envelope:
    return _event(referral_contracts.ReferralErasureOverdue, **changes)


async def test_an_overdue_erasure_alerts_the_province_s_supervisors_at_once_by_email() -> None:
    book = RecordingBook()
    work = Work(session=None, rules=Rules(contacts=None, clock=lambda: LATE_EVENING), book=book)
    envelope = _overdue(erase_by="2026-12-10T03:00:00Z")

    await reactions.alert_supervisors_of_overdue_erasure(work, envelope)

    [alert] = book.planned
    assert alert.recipient == "supervisor:32"
    assert alert.client_id is None
    assert (alert.channel, alert.template, alert.language) == ("email", "erasure_overdue", "id")
    assert alert.event_id == envelope.id
    assert alert.status == "scheduled" and alert.not_before == LATE_EVENING
    assert alert.context == {
        "referral_id": envelope.data["referral_id"],
        "partner_code": "bank-nusantara",
        "region_code": "3273",
        "when": "Kam, 10 Des 2026 10.00 WIB",
    }
    text = templates.render("erasure_overdue", "id", alert.context).text
    assert envelope.data["referral_id"] in text and "Kam, 10 Des 2026 10.00 WIB" in text


def test_the_overdue_erasure_is_routed_from_referral_events_to_its_alert() -> None:
    routed = reactions.ROUTING[referral_contracts.TOPIC]

    assert (
        routed[referral_contracts.ReferralErasureOverdue.TYPE]
        is reactions.alert_supervisors_of_overdue_erasure
    )
    # The request and the confirmation tell nobody: the partner has its own topic.
    assert referral_contracts.ReferralErasureRequested.TYPE not in routed
    assert referral_contracts.ReferralErasureConfirmed.TYPE not in routed


def _escalated(**changes: Any) -> Envelope:
    return _event(referral_contracts.ReferralEscalated, **changes)


async def test_an_sla_breach_alerts_the_province_and_the_officer_who_referred() -> None:
    book = RecordingBook()
    work = Work(session=None, rules=Rules(contacts=None, clock=lambda: LATE_EVENING), book=book)
    envelope = _escalated(referred_by="5b0c1a52-3d55-4a52-9d3c-1f0e6f1a7c11")

    await reactions.alert_supervisors_of_breach(work, envelope)

    province, officer = book.planned
    assert province.recipient == "supervisor:32"
    assert officer.recipient == "officer:5b0c1a52-3d55-4a52-9d3c-1f0e6f1a7c11"
    for alert in (province, officer):
        assert (alert.channel, alert.template, alert.client_id) == ("email", "sla_breach", None)
        assert alert.not_before == LATE_EVENING  # urgent: no quiet hours
    assert officer.context == province.context


async def test_an_sla_breach_of_an_older_event_alerts_the_province_only() -> None:
    book = RecordingBook()
    work = Work(session=None, rules=Rules(contacts=None, clock=lambda: LATE_EVENING), book=book)
    envelope = _escalated()
    del envelope.data["referred_by"]  # published before the field was added

    await reactions.alert_supervisors_of_breach(work, envelope)

    assert [a.recipient for a in book.planned] == ["supervisor:32"]
