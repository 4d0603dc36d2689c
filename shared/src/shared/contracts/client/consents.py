"""A client's consents, granted and withdrawn."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal
from uuid import UUID

from shared.contracts import Contract
from shared.contracts.client.topic import CLIENT_ID_EXAMPLE, OFFICER_EXAMPLE, TOPIC


class ConsentGranted(Contract):
    """The client consented to a purpose (for referrals: one partner, with a scope)."""

    TYPE: ClassVar[str] = "jembatan.consent.granted.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "consent_id": "5a0c7f0e-1d7e-4f57-8b0c-1d2e3f4a5b6c",
        "client_id": CLIENT_ID_EXAMPLE,
        "region_code": "3273",
        "purpose": "referral",
        "partner_code": "bank-nusantara",
        "scope": ["contact", "identity"],
        "channels": [],
        "text_version": "referral-id-2026-01",
        "granted_at": "2026-11-29T03:20:00Z",
        "granted_by": OFFICER_EXAMPLE,
    }

    consent_id: UUID
    client_id: UUID
    region_code: str
    purpose: Literal["case_management", "referral", "notifications"]
    partner_code: str | None
    scope: list[Literal["contact", "identity", "business"]]
    channels: list[Literal["sms", "whatsapp", "email"]]
    text_version: str
    granted_at: datetime
    granted_by: str


class ConsentWithdrawn(Contract):
    """A consent was withdrawn; for referrals, open referrals to that partner must end."""

    TYPE: ClassVar[str] = "jembatan.consent.withdrawn.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "consent_id": "5a0c7f0e-1d7e-4f57-8b0c-1d2e3f4a5b6c",
        "client_id": CLIENT_ID_EXAMPLE,
        "region_code": "3273",
        "purpose": "referral",
        "partner_code": "bank-nusantara",
        "withdrawn_at": "2026-12-05T08:00:00Z",
        "withdrawn_by": OFFICER_EXAMPLE,
    }

    consent_id: UUID
    client_id: UUID
    region_code: str
    purpose: Literal["case_management", "referral", "notifications"]
    partner_code: str | None
    withdrawn_at: datetime
    withdrawn_by: str
