"""What notify's own work announces, in the business's words (no topic, no envelope).

`adapters/publishing.py` turns each into the integration event others read; the unit of
work writes it to the outbox with the change it announces, so a message is never recorded
without its announcement, nor announced without being recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from notify.domain.model import Notification


@dataclass(frozen=True)
class MessageScheduled:
    """A message to a client was stored as scheduled (`at`: when it was planned)."""

    notification: Notification
    at: datetime


@dataclass(frozen=True)
class MessageDelivered:
    """The provider reported a sent message delivered."""

    notification: Notification
    at: datetime


@dataclass(frozen=True)
class MessageGivenUp:
    """The sender gave up on a message for good (`reason`): it is parked as a dead letter."""

    notification: Notification
    reason: str


@dataclass(frozen=True)
class StopReceived:
    """A client with this number replied STOP at `received_at`: their consents granted by
    then are to be withdrawn by the client service."""

    client_id: UUID
    region_code: str
    channel: str
    received_at: datetime


NotifyEvent = MessageScheduled | MessageDelivered | MessageGivenUp | StopReceived
