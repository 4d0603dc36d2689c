"""What notify's routes ask of it: one frozen dataclass per use case, with its answer type.

The caller is already authorised when a command is built (a case worker's region scope, or a
provider proven by its webhook's signature); handlers take what the command says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from notify.domain.model import Report
from notify.domain.webhooks import SignedWebhook
from shared.auth import RegionScope
from shared.messagebus import Command

# What a delivery report did: moved a message, changed nothing (no sent message with that id,
# or it would have gone backwards), or nothing at all because the webhook came before.
Recorded = Literal["recorded", "unchanged", "duplicate"]


@dataclass(frozen=True)
class ListNotifications(Command[list[dict[str, Any]]]):
    """A client's messages in the caller's region, newest first, before `before`."""

    client_id: UUID
    scope: RegionScope
    limit: int
    before: datetime | None


@dataclass(frozen=True)
class Preview:
    """What a client would read, and what it costs as SMS."""

    subject: str
    text: str
    encoding: str
    characters: int
    sms_segments: int


@dataclass(frozen=True)
class PreviewMessage(Command[Preview]):
    """A template rendered for an officer; `context` None: the longest sample values."""

    template: str
    language: str
    context: dict[str, str] | None


@dataclass(frozen=True)
class RecordDelivery(Command[Recorded]):
    """A provider's signed delivery report on a message it accepted."""

    provider: str
    webhook: SignedWebhook
    provider_message_id: str
    report: Report
    at: datetime
    reason: str | None = None


@dataclass(frozen=True)
class ReceiveReply(Command[int]):
    """A client's reply through the provider; answered with how many clients opted out."""

    provider: str
    webhook: SignedWebhook
    sender: str
    channel: str
    text: str
    received_at: datetime | None
