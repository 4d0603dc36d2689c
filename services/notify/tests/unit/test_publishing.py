"""The envelopes notify publishes, exactly as before the unit of work wrote them: topic,
type, subject, key, data and the dead letter's reason header; and the sender gives up on a
message through the unit of work, in one transaction with its `failed` status."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest
from notify_fakes import NOON, FakeNotifications, FakeUow

from notify.adapters import publishing
from notify.adapters.channels import DeliveryFailed, Outgoing
from notify.domain.events import MessageDelivered, MessageGivenUp, MessageScheduled, StopReceived
from notify.domain.model import ADMINISTRATORS, Notification, RetryPolicy
from notify.service_layer import dispatch
from notify.service_layer.planning import Rules
from shared.contracts import notify as contracts


def _message(**changes: Any) -> Notification:
    n = Notification.plan(
        event_id=uuid4(),
        recipient="client:x",
        client_id=uuid4(),
        region_code="3273",
        template="client_registered",
        language="id",
        channel="sms",
        context={},
        refusal=None,
        not_before=NOON + timedelta(hours=1),
    )
    for name, value in changes.items():
        setattr(n, name, value)
    return n


def test_a_scheduled_message_is_announced_under_its_own_subject() -> None:
    n = _message()
    [(topic, e)] = publishing.integration_events(MessageScheduled(n, NOON))
    assert topic == "notify.events"
    assert (e.type, e.source) == ("jembatan.notification.scheduled.v1", "/services/notify")
    assert (e.subject, e.key) == (f"notification/{n.id}", str(n.client_id))
    assert (
        e.data
        == contracts.NotificationScheduled(
            notification_id=n.id,
            client_id=n.client_id,
            region_code="3273",
            answers_event_id=n.event_id,
            template="client_registered",
            language="id",
            scheduled_at=NOON,
            channel="sms",
            not_before=n.not_before,
        ).to_data()
    )


def test_a_delivery_and_a_stop_are_about_the_client() -> None:
    n = _message()
    [(topic, delivered)] = publishing.integration_events(MessageDelivered(n, NOON))
    stop = StopReceived(n.client_id, "3273", "sms", NOON)  # type: ignore[arg-type]
    [(topic2, opted)] = publishing.integration_events(stop)
    assert topic == topic2 == "notify.events"
    assert delivered.type == "jembatan.notification.delivered.v1"
    assert opted.type == "jembatan.notification.opted_out.v1"
    for e in (delivered, opted):
        assert (e.subject, e.key) == (f"client/{n.client_id}", str(n.client_id))
    assert delivered.data["delivered_at"] == "2026-12-10T03:00:00Z"
    assert opted.data == {
        "client_id": str(n.client_id),
        "region_code": "3273",
        "channel": "sms",
        "received_at": "2026-12-10T03:00:00Z",
    }


def test_a_message_given_up_on_is_a_dead_letter_with_its_reason() -> None:
    staff = _message(client_id=None, recipient=ADMINISTRATORS, attempts=5)
    [(topic, e)] = publishing.integration_events(MessageGivenUp(staff, "smtp_refused"))
    assert topic == "notify.events.dlq"
    assert e.type == "jembatan.notification.failed.v1"
    assert (e.subject, e.key) == (f"notification/{staff.id}", ADMINISTRATORS)
    assert e.extra_headers == {"x-dlq-reason": "smtp_refused"}
    assert e.data == {
        "notification_id": str(staff.id),
        "answers_event_id": str(staff.event_id),
        "client_id": None,
        "region_code": "3273",
        "template": "client_registered",
        "channel": "sms",
        "attempts": 5,
        "reason": "smtp_refused",
    }


def test_anything_else_is_not_published() -> None:
    with pytest.raises(TypeError):
        publishing.integration_events(object())


class Refusing:
    async def send(self, outgoing: Outgoing) -> str:
        raise DeliveryFailed("mailbox_unknown", permanent=True)


async def test_the_sender_gives_up_through_the_unit_of_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = FakeNotifications()
    uow = FakeUow(store)
    monkeypatch.setattr(dispatch, "NotifyUnitOfWork", lambda sessions, contacts: uow)
    alert = _message(
        client_id=None,
        recipient=ADMINISTRATORS,
        template="breach_escalated",
        channel="email",
        context={"breach_id": "b-1", "due": "10 Des 08.30 WIB", "pending": "otoritas"},
        attempts=1,
    )
    store.messages[alert.id] = alert
    sender = dispatch.Dispatcher(
        sessions=None,  # type: ignore[arg-type]
        rules=Rules(contacts=None, clock=lambda: NOON),  # type: ignore[arg-type]
        channels={"email": Refusing()},  # type: ignore[dict-item]
        limits={},
        policy=RetryPolicy(),
        lease=timedelta(minutes=1),
    )

    await sender._send(alert)

    assert (alert.status, alert.reason) == ("failed", "mailbox_unknown")
    [(topic, e)] = uow.published
    assert topic == "notify.events.dlq" and e.extra_headers == {"x-dlq-reason": "mailbox_unknown"}
    assert uow.commits == 1
