"""The HTTP shapes of consents: the grant form and the consents answered."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from client.domain.consent import Consent

Scope = Literal["contact", "identity", "business"]
Channel = Literal["sms", "whatsapp", "email"]


class NewConsent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: Literal["case_management", "referral", "notifications"]
    text_version: str = Field(min_length=1, max_length=100)
    partner_code: str | None = Field(default=None, max_length=63)
    scope: list[Scope] = Field(default_factory=list)
    channels: list[Channel] = Field(default_factory=list)


class ConsentOut(BaseModel):
    id: UUID
    client_id: UUID
    purpose: str
    partner_code: str | None
    scope: list[str]
    channels: list[str]
    text_version: str
    granted_at: datetime
    withdrawn_at: datetime | None
    live: bool

    @classmethod
    def of(cls, consent: Consent) -> ConsentOut:
        return cls(
            id=consent.id,
            client_id=consent.client_id,
            purpose=consent.purpose,
            partner_code=consent.partner_code,
            scope=list(consent.scope),
            channels=list(consent.channels),
            text_version=consent.text_version,
            granted_at=consent.granted_at,
            withdrawn_at=consent.withdrawn_at,
            live=consent.live,
        )


class ConsentList(BaseModel):
    items: list[ConsentOut]
