"""Events published by the referral service on `referral.events` (key: the client id).

An internal topic: identifiers and states, never a person's details (those go, within the
consented scope, only to the partner's own topic: `shared.contracts.partner`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar, Literal
from uuid import UUID

from pydantic import Field

from shared.contracts import Contract

TOPIC = "referral.events"
SOURCE = "/services/referral"

Outcome = Literal["account_opened", "loan_disbursed", "merchant_active", "wallet_activated"]


_REFERRAL = {
    "referral_id": "6c5b4a39-2817-4f6e-9d5c-4b3a29180716",
    "client_id": "0b8f3c2e-6a51-4c8e-9a57-2f6f1f3c1a10",
    "region_code": "3273",
    "partner_code": "bank-nusantara",
    "product_code": "savings-basic",
}


class _ReferralEvent(Contract):
    referral_id: UUID
    client_id: UUID
    region_code: str
    partner_code: str
    product_code: str


# What every referral event carries, for consumers that only need to know which referral.
ReferralFacts = _ReferralEvent


class ReferralSent(_ReferralEvent):
    """An officer referred a consenting client; the partner must acknowledge by `respond_by`."""

    TYPE: ClassVar[str] = "jembatan.referral.sent.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        **_REFERRAL,
        "fee_sheet_version": "2026-01",
        "options_shown": ["bank-nusantara", "dompet-rakyat"],
        "sent_at": "2026-11-30T03:00:00Z",
        "respond_by": "2026-12-02",
        "partner_name": "Bank Nusantara (fiktif)",
        "product_name": "Tabungan dasar",
        "partner_kind": "bank",
        "product_kind": "savings",
    }

    fee_sheet_version: str
    options_shown: list[str]
    sent_at: datetime
    respond_by: date
    # Added in v1 (optional, so older messages stay valid): the names a client reads.
    partner_name: str | None = None
    product_name: str | None = None
    partner_kind: str | None = None  # bank | e-money
    product_kind: str | None = None  # savings | payroll | credit | ewallet | qris


class ReferralAcknowledged(_ReferralEvent):
    """The partner picked the referral up."""

    TYPE: ClassVar[str] = "jembatan.referral.acknowledged.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {**_REFERRAL, "acknowledged_at": "2026-12-01T07:00:00Z"}

    acknowledged_at: datetime


class ReferralDeclined(_ReferralEvent):
    """The partner declined, with a reason code."""

    TYPE: ClassVar[str] = "jembatan.referral.declined.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        **_REFERRAL,
        "reason": "documents_missing",
        "declined_at": "2026-12-03T07:00:00Z",
    }

    reason: str
    declined_at: datetime


class ReferralWithdrawn(_ReferralEvent):
    """The referral ended without an outcome: consent withdrawn, officer withdrew, or expired."""

    TYPE: ClassVar[str] = "jembatan.referral.withdrawn.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        **_REFERRAL,
        "reason": "consent_withdrawn",
        "withdrawn_at": "2026-12-05T08:00:00Z",
    }

    reason: Literal["consent_withdrawn", "officer_withdrew", "expired"]
    withdrawn_at: datetime


class ReferralEscalated(_ReferralEvent):
    """A referral breached its SLA; the province's supervisor must hear of it."""

    TYPE: ClassVar[str] = "jembatan.referral.escalated.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        **_REFERRAL,
        "breach": "not_acknowledged",
        "escalated_at": "2026-12-03T00:00:00Z",
        "referred_by": "5b0c1a52-3d55-4a52-9d3c-1f0e6f1a7c11",
    }

    breach: Literal["not_acknowledged", "outcome_late"]
    escalated_at: datetime
    referred_by: str | None = Field(
        default=None,
        description="the Keycloak user id of the officer who sent the referral, who is told "
        "too (absent in events published before it was added)",
    )


class ReferralCompleted(Contract):
    """The partner reported the referral's outcome (docs/contract.md §5.2: acknowledged → completed)."""  # noqa: E501 (the first line is the event's description in docs/asyncapi.yaml)

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


_ERASURE = {**_REFERRAL, "partner_kind": "bank", "requested_at": "2026-12-07T03:00:00Z"}


class ReferralErasureRequested(_ReferralEvent):
    """The client was erased: the referral ended, and its partner was told to erase what it
    holds of the applicant by `erase_by` (and to confirm it)."""

    TYPE: ClassVar[str] = "jembatan.referral.erasure_requested.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {**_ERASURE, "erase_by": "2026-12-10T03:00:00Z"}

    partner_kind: str  # bank | e-money
    requested_at: datetime
    erase_by: datetime


class ReferralErasureConfirmed(_ReferralEvent):
    """The partner confirmed that it erased the applicant; `in_time` when it did so by
    `erase_by`."""

    TYPE: ClassVar[str] = "jembatan.referral.erasure_confirmed.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        **_ERASURE,
        "erase_by": "2026-12-10T03:00:00Z",
        "confirmed_at": "2026-12-08T09:30:00Z",
        "in_time": True,
    }

    partner_kind: str
    requested_at: datetime
    erase_by: datetime
    confirmed_at: datetime
    in_time: bool


class ReferralErasureOverdue(_ReferralEvent):
    """The partner did not confirm the erasure by `erase_by`; the province's supervisor must
    hear of it. Published once per erasure."""

    TYPE: ClassVar[str] = "jembatan.referral.erasure_overdue.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        **_ERASURE,
        "erase_by": "2026-12-10T03:00:00Z",
        "escalated_at": "2026-12-10T03:00:30Z",
    }

    partner_kind: str
    requested_at: datetime
    erase_by: datetime
    escalated_at: datetime


PUBLISHED: list[type[Contract]] = [
    ReferralSent,
    ReferralAcknowledged,
    ReferralCompleted,
    ReferralDeclined,
    ReferralWithdrawn,
    ReferralEscalated,
    # New types, not new enum values: a consumer of `withdrawn` or `escalated` built against
    # their `reason` and `breach` would reject a value it does not know.
    ReferralErasureRequested,
    ReferralErasureConfirmed,
    ReferralErasureOverdue,
]
