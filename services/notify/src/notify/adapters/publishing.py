"""Notify's domain events as the integration events others read.

Scheduled, delivered and STOP go to `notify.events` (key: the client id, so a client's
timeline keeps its order); a message given up on goes to `notify.events.dlq` with the
`x-dlq-reason` header (decision 0008), keyed by its client or, for staff, its recipient.
Failed delivery reports and suppressed messages are recorded, not published.
"""

from __future__ import annotations

from typing import Any

from notify.domain.events import MessageDelivered, MessageGivenUp, MessageScheduled, StopReceived
from shared.contracts import Contract
from shared.contracts import notify as contracts
from shared.messaging.envelope import Envelope
from shared.messaging.worker import DLQ_REASON_HEADER

DEAD_LETTERS = "notify.events.dlq"
DEAD_LETTER_TYPE = "jembatan.notification.failed.v1"


def integration_events(event: Any) -> list[tuple[str, Envelope]]:
    """The translator the notify unit of work commits with (its events name no aggregate)."""
    if isinstance(event, MessageScheduled):
        return [(contracts.TOPIC, _scheduled(event))]
    if isinstance(event, MessageDelivered):
        return [(contracts.TOPIC, _delivered(event))]
    if isinstance(event, StopReceived):
        data = contracts.OptedOut(
            client_id=event.client_id,
            region_code=event.region_code,
            channel=event.channel,
            received_at=event.received_at,
        )
        return [(contracts.TOPIC, _about_client(data, event.client_id))]
    if isinstance(event, MessageGivenUp):
        return [(DEAD_LETTERS, _dead_letter(event))]
    raise TypeError(f"notify publishes no {type(event).__name__}")


def _about_client(data: Contract, client_id: object) -> Envelope:
    return Envelope(
        type=data.TYPE,
        source=contracts.SOURCE,
        subject=f"client/{client_id}",
        key=str(client_id),
        data=data.to_data(),
    )


def _scheduled(event: MessageScheduled) -> Envelope:
    n = event.notification
    assert n.client_id is not None, "only a client's messages are announced"
    data = contracts.NotificationScheduled(
        notification_id=n.id,
        client_id=n.client_id,
        region_code=n.region_code,
        answers_event_id=n.event_id,
        template=n.template,
        language=n.language,
        scheduled_at=event.at,
        channel=n.channel,
        not_before=n.not_before,
    )
    return Envelope(
        type=data.TYPE,
        source=contracts.SOURCE,
        subject=f"notification/{n.id}",
        key=str(n.client_id),
        data=data.to_data(),
    )


def _delivered(event: MessageDelivered) -> Envelope:
    n = event.notification
    assert n.client_id is not None, "only a client's deliveries are announced"
    data = contracts.NotificationDelivered(
        notification_id=n.id,
        client_id=n.client_id,
        region_code=n.region_code,
        template=n.template,
        channel=n.channel,
        delivered_at=event.at,
    )
    return _about_client(data, n.client_id)


def _dead_letter(event: MessageGivenUp) -> Envelope:
    n = event.notification
    return Envelope(
        type=DEAD_LETTER_TYPE,
        source=contracts.SOURCE,
        subject=f"notification/{n.id}",
        key=str(n.client_id or n.recipient),
        data={
            "notification_id": str(n.id),
            "answers_event_id": str(n.event_id),
            "client_id": str(n.client_id) if n.client_id else None,
            "region_code": n.region_code,
            "template": n.template,
            "channel": n.channel,
            "attempts": n.attempts,
            "reason": event.reason,
        },
        extra_headers={DLQ_REASON_HEADER: event.reason},
    )
