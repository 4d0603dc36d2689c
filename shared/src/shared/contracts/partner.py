"""The partner contract: what a bank or fintech receives on its own topic,
`partner.<partner_code>.referrals`, keyed by the referral id (docs/partners.md).

`offered.v2` carries no personal value: the partner reads the applicant over HTTPS
(`GET /api/partner/referrals/{id}/applicant`) while the referral is open and the consent
live, each read audited; so nothing personal waits in Kafka (decision 0015). `offered.v1`
(the applicant inline) is still published to partners that have not moved yet.

The applicant carries only what the consent scope allows: `contact` → full_name, phone;
`identity` → nik, birth_date, sex; `business` → the business (nib, name, kbli). Nothing else
ever leaves for a partner.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from shared.contracts import Contract

SOURCE = "/services/referral"


def topic_for(partner_code: str) -> str:
    return f"partner.{partner_code}.referrals"


class Business(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nib: str
    name: str
    kbli: str


class Applicant(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a field outside the scopes cannot slip in

    kind: Literal["worker", "business"]
    full_name: str | None = None
    phone: str | None = None
    nik: str | None = None
    birth_date: date | None = None
    sex: Literal["F", "M"] | None = None
    business: Business | None = None


class Consent(BaseModel):
    consent_id: UUID
    granted_at: datetime
    scope: list[Literal["contact", "identity", "business"]]


class ReferralOffered(Contract):
    """A consenting client is referred to you for a product; acknowledge by `respond_by`."""

    TYPE: ClassVar[str] = "jembatan.partner.referral.offered.v1"
    TOPIC: ClassVar[str] = "partner.<partner_code>.referrals"
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "referral_id": "6c5b4a39-2817-4f6e-9d5c-4b3a29180716",
        "product_code": "savings-basic",
        "offered_at": "2026-11-30T03:00:00Z",
        "respond_by": "2026-12-02T16:59:59Z",
        "office_region_code": "3273",
        "applicant": {"kind": "worker", "full_name": "Dedi Kurniawan", "phone": "+6281234567890"},
        "consent": {
            "consent_id": "5a0c7f0e-1d7e-4f57-8b0c-1d2e3f4a5b6c",
            "granted_at": "2026-11-29T03:20:00Z",
            "scope": ["contact"],
        },
    }

    referral_id: UUID
    product_code: str
    offered_at: datetime
    respond_by: datetime
    office_region_code: str
    applicant: Applicant
    consent: Consent

    def to_data(self) -> dict[str, Any]:
        # A field outside the consent scope is absent, not null: nothing hints at it.
        return self.model_dump(mode="json", exclude_none=True)


class ReferralOfferedV2(Contract):
    """A consenting client is referred to you for a product; read the applicant at
    `applicant_url` and acknowledge by `respond_by`."""

    TYPE: ClassVar[str] = "jembatan.partner.referral.offered.v2"
    TOPIC: ClassVar[str] = "partner.<partner_code>.referrals"
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "referral_id": "6c5b4a39-2817-4f6e-9d5c-4b3a29180716",
        "product_code": "savings-basic",
        "offered_at": "2026-11-30T03:00:00Z",
        "respond_by": "2026-12-02T16:59:59Z",
        "office_region_code": "3273",
        "applicant_kind": "worker",
        "applicant_url": "/api/partner/referrals/6c5b4a39-2817-4f6e-9d5c-4b3a29180716/applicant",
        "consent": {
            "consent_id": "5a0c7f0e-1d7e-4f57-8b0c-1d2e3f4a5b6c",
            "granted_at": "2026-11-29T03:20:00Z",
            "scope": ["contact", "identity"],
        },
    }

    referral_id: UUID
    product_code: str
    offered_at: datetime
    respond_by: datetime
    office_region_code: str
    applicant_kind: Literal["worker", "business"]
    applicant_url: str
    consent: Consent


def applicant_url(referral_id: UUID) -> str:
    """Where a partner reads the applicant of its referral, behind the gateway."""
    return f"/api/partner/referrals/{referral_id}/applicant"


class ReferralWithdrawn(Contract):
    """The referral is withdrawn: stop, and erase what you received by `erase_by` (UU PDP)."""

    TYPE: ClassVar[str] = "jembatan.partner.referral.withdrawn.v1"
    TOPIC: ClassVar[str] = "partner.<partner_code>.referrals"
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "referral_id": "6c5b4a39-2817-4f6e-9d5c-4b3a29180716",
        "withdrawn_at": "2026-12-05T08:00:00Z",
        "reason": "consent_withdrawn",
        "erase_by": "2026-12-08T08:00:00Z",
    }

    referral_id: UUID
    withdrawn_at: datetime
    reason: Literal["consent_withdrawn", "officer_withdrew", "expired"]
    erase_by: datetime


def erasure_url(referral_id: UUID) -> str:
    """Where a partner confirms that it erased what it held about a referral's applicant."""
    return f"/api/partner/referrals/{referral_id}/erased"


class ReferralErased(Contract):
    """The client was erased from Jembatan at their request: erase everything you hold about
    this referral's applicant by `erase_by`, then confirm it at `confirm_url` (UU 27/2022
    Pasal 43). Sent for every referral of the client, whatever its state."""

    TYPE: ClassVar[str] = "jembatan.partner.referral.erased.v1"
    TOPIC: ClassVar[str] = "partner.<partner_code>.referrals"
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "referral_id": "6c5b4a39-2817-4f6e-9d5c-4b3a29180716",
        "erased_at": "2026-12-07T03:00:00Z",
        "erase_by": "2026-12-10T03:00:00Z",
        "confirm_url": "/api/partner/referrals/6c5b4a39-2817-4f6e-9d5c-4b3a29180716/erased",
    }

    referral_id: UUID
    erased_at: datetime
    erase_by: datetime
    confirm_url: str


# An erasure is its own type: `ReferralWithdrawn.reason` is an enum that a consumer built
# against it would reject a new value of (shared.contracts.compat).
PUBLISHED: list[type[Contract]] = [
    ReferralOffered,
    ReferralOfferedV2,
    ReferralWithdrawn,
    ReferralErased,
]
