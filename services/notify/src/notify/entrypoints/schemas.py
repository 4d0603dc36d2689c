"""What notify's routes read and answer: every field with its constraint and its meaning."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from notify.domain.model import Status


class NotificationOut(BaseModel):
    id: UUID
    event_id: UUID = Field(description="the event this message answers")
    client_id: UUID
    template: str
    language: str
    channel: str
    status: Status
    reason: str | None = Field(
        description="why it was suppressed or failed (e.g. no_consent), or the last retry's cause"
    )
    attempts: int
    not_before: datetime | None = Field(description="not sent before (quiet hours, retries)")
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None = None


class PreviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    template: str
    language: Literal["id", "en"] = "id"
    context: dict[str, str] | None = Field(
        default=None, description="the template's variables; omitted: the longest sample values"
    )


class PreviewOut(BaseModel):
    template: str
    language: str
    subject: str
    text: str
    encoding: str
    characters: int
    sms_segments: int


class TemplateOut(BaseModel):
    template: str
    variables: list[str]
    max_segments: int


class TemplateList(BaseModel):
    items: list[TemplateOut]


# The provider's webhooks (read raw and checked first: entrypoints/provider_webhooks.py).


class DeliveryReport(BaseModel):
    message_id: str = Field(max_length=200)
    reference: str | None = Field(default=None, max_length=200)
    status: Literal["delivered", "failed", "undeliverable"]
    at: AwareDatetime
    reason: str | None = Field(default=None, max_length=200)


class DeliveryRecorded(BaseModel):
    matched: bool = Field(description="the report moved a message")
    duplicate: bool = Field(description="this webhook came before; nothing changed now")


class InboundReceived(BaseModel):
    status: Literal["received"] = "received"


class InboundMessage(BaseModel):
    message_id: str | None = Field(default=None, max_length=200)
    sender: str = Field(alias="from", max_length=32)
    channel: Literal["sms", "whatsapp"]
    text: str = Field(max_length=1600)
    received_at: AwareDatetime | None = Field(
        default=None, description="when the provider received it; the signature's time if absent"
    )
