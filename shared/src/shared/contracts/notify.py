"""Events published by the notify service on `notify.events` (key: the client id)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from pydantic import Field

from shared.contracts import Contract

TOPIC = "notify.events"
SOURCE = "/services/notify"


class NotificationScheduled(Contract):
    """A message to a client was scheduled in answer to an event. No content, no address."""

    TYPE: ClassVar[str] = "jembatan.notification.scheduled.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "notification_id": "7d4b1a52-3c1e-4c3b-9d0e-6a5b4c3d2e1f",
        "client_id": "0b8f3c2e-6a51-4c8e-9a57-2f6f1f3c1a10",
        "region_code": "3273",
        "answers_event_id": "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
        "template": "client_registered",
        "language": "id",
        "scheduled_at": "2026-11-29T03:15:02Z",
        "channel": "sms",
        "not_before": "2026-11-29T03:15:02Z",
    }

    notification_id: UUID
    client_id: UUID
    region_code: str
    answers_event_id: UUID
    template: str
    language: str
    scheduled_at: datetime
    # Added in v1 (optional, so older messages stay valid).
    channel: str | None = None
    not_before: datetime | None = Field(
        default=None, description="quiet hours defer a message to 07:00 where the client lives"
    )


class NotificationDelivered(Contract):
    """The provider reported a message delivered to the client's phone or mailbox."""

    TYPE: ClassVar[str] = "jembatan.notification.delivered.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "notification_id": "7d4b1a52-3c1e-4c3b-9d0e-6a5b4c3d2e1f",
        "client_id": "0b8f3c2e-6a51-4c8e-9a57-2f6f1f3c1a10",
        "region_code": "3273",
        "template": "client_registered",
        "channel": "sms",
        "delivered_at": "2026-11-29T03:15:04Z",
    }

    notification_id: UUID
    client_id: UUID
    region_code: str
    template: str
    channel: str
    delivered_at: datetime


class OptedOut(Contract):
    """The client answered STOP: the client service withdraws their notifications consent."""

    TYPE: ClassVar[str] = "jembatan.notification.opted_out.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "client_id": "0b8f3c2e-6a51-4c8e-9a57-2f6f1f3c1a10",
        "region_code": "3273",
        "channel": "sms",
        "received_at": "2026-11-29T05:00:00Z",
    }

    client_id: UUID
    region_code: str
    channel: str
    received_at: datetime


PUBLISHED: list[type[Contract]] = [NotificationScheduled, NotificationDelivered, OptedOut]
