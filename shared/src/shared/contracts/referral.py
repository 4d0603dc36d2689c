"""Events published by the referral service on `referral.events` (key: the client id).

Defined ahead of the referral service (issue 4) because client intake reacts to them: an
account opened through a referral starts the 30- and 90-day follow-ups.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal
from uuid import UUID

from shared.contracts import Contract

TOPIC = "referral.events"
SOURCE = "/services/referral"

Outcome = Literal["account_opened", "loan_disbursed", "merchant_active", "wallet_activated"]


class ReferralCompleted(Contract):
    """The partner reported the referral's outcome (DESIGN.md §5.2: acknowledged → completed)."""

    TYPE: ClassVar[str] = "jembatan.referral.completed.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "referral_id": "6c5b4a39-2817-4f6e-9d5c-4b3a29180716",
        "client_id": "0b8f3c2e-6a51-4c8e-9a57-2f6f1f3c1a10",
        "region_code": "3273",
        "partner_code": "bank-nusantara",
        "product_code": "savings-basic",
        "outcome": "account_opened",
        "completed_at": "2026-12-07T04:00:00Z",
    }

    referral_id: UUID
    client_id: UUID
    region_code: str
    partner_code: str
    product_code: str
    outcome: Outcome
    completed_at: datetime


PUBLISHED: list[type[Contract]] = [ReferralCompleted]
