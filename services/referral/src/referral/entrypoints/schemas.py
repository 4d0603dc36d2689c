"""The HTTP shapes of referrals and the partner catalogue."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from referral.domain.catalogue import FeeSheet, Partner, Product, Rule
from referral.domain.erasure import PartnerErasure
from referral.domain.referral import Referral
from shared.contracts import partner as partner_contracts

Code = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")


class ProductOut(BaseModel):
    code: str
    name: str
    kind: str
    fee_sheet: dict[str, Any]
    rules: list[dict[str, Any]]


class PartnerOut(BaseModel):
    code: str
    name: str
    kind: str
    regulator: str
    licence_type: str
    licence_number: str
    licence_status: str
    licence_verified_on: date
    products: list[ProductOut]
    offer_version: int = Field(
        description="2: the offer names the applicant's URL; 1: the applicant is inline"
    )
    status: Literal["provisioning", "active", "offboarding", "offboarded"] = Field(
        description="provisioning until the partner's Keycloak client and topic exist; "
        "referrals reach only an active partner (409 partner-not-ready otherwise)"
    )
    callback_url: str | None = Field(
        default=None,
        description="where the partner's events are also POSTed, signed (docs/partners.md "
        '"Webhooks"); null: it reads its Kafka topic only',
    )

    @classmethod
    def of(cls, partner: Partner) -> PartnerOut:
        return cls(
            **{k: v for k, v in dataclasses.asdict(partner).items() if k != "products"},
            products=[
                ProductOut(
                    code=p.code,
                    name=p.name,
                    kind=p.kind,
                    fee_sheet=dataclasses.asdict(p.fee_sheet),
                    rules=[dataclasses.asdict(r) for r in p.rules],
                )
                for p in partner.products
            ],
        )


class PartnerList(BaseModel):
    items: list[PartnerOut]


class LicenceChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    licence_status: Literal["active", "suspended", "revoked"]
    licence_verified_on: date


class NewReferral(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: UUID
    partner_code: str = Code
    product_code: str = Code
    fee_sheet_version: str = Field(
        min_length=1, max_length=40, description="the fee sheet the client saw and acknowledged"
    )
    options_shown: list[str] = Field(
        default_factory=list, max_length=20, description="every partner offered to the client"
    )


class ReferralOut(BaseModel):
    id: UUID
    client_id: UUID
    region_code: str
    partner_code: str
    product_code: str
    state: str
    fee_sheet_version: str
    options_shown: list[str]
    sent_at: datetime
    respond_by: date
    external_ref: str | None
    outcome: str | None
    reason: str | None
    updated_at: datetime | None
    erase_by: datetime | None = Field(
        default=None,
        description="withdrawn, expired or erased: when the partner must have erased the "
        "applicant (72 hours later, UU 27/2022)",
    )

    @classmethod
    def of(cls, referral: Referral) -> ReferralOut:
        return cls(
            **{
                k: v
                for k, v in dataclasses.asdict(referral).items()
                if k in cls.model_fields and k != "options_shown"
            },
            options_shown=list(referral.options_shown),
            erase_by=referral.erase_by,
        )


class ReferralPage(BaseModel):
    items: list[ReferralOut]
    next_cursor: str | None


class PartnerReferralOut(BaseModel):
    """What a partner sees of its own referrals through the API (no applicant details)."""

    id: UUID
    product_code: str
    state: str
    sent_at: datetime
    respond_by: date
    external_ref: str | None
    outcome: str | None
    reason: str | None
    office_region_code: str = Field(
        validation_alias="region_code", description="the referring office's region"
    )
    acknowledged_at: datetime | None = Field(
        default=None, description="when you acknowledged it (your response time ends here)"
    )
    updated_at: datetime | None = Field(default=None, description="its last change")


class PartnerReferralPage(BaseModel):
    items: list[PartnerReferralOut]
    next_cursor: str | None


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["acknowledged", "completed", "declined"]
    outcome: str | None = Field(default=None, description="for completed: account_opened, ...")
    reason: str | None = Field(default=None, description="for declined: documents_missing, ...")
    external_ref: str | None = Field(default=None, max_length=100)


# A fee or limit is named like `transfer_out` (the portal words it) and is whole rupiah.
FeeName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Rupiah = Annotated[int, Field(ge=0, le=1_000_000_000_000)]


class FeeSheetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str = Field(min_length=1, max_length=40)
    fees: dict[FeeName, Rupiah] = Field(max_length=30)
    limits: dict[FeeName, Rupiah] = Field(default_factory=dict, max_length=30)
    interest_tier: str | None = Field(default=None, min_length=1, max_length=100)


class RuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["client_kind", "min_age", "nib_required", "region_in", "training_completed"]
    value: Any = None


class ProductIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Code
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["savings", "payroll", "credit", "ewallet", "qris"]
    fee_sheet: FeeSheetIn
    rules: list[RuleIn] = Field(default_factory=list)


class PartnerIn(BaseModel):
    """A partner as the catalogue keeps it; a new fee sheet needs a new version."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    kind: Literal["bank", "e-money"]
    regulator: Literal["OJK", "BI"]
    licence_type: str = Field(min_length=1, max_length=100)
    licence_number: str = Field(min_length=1, max_length=100)
    licence_status: Literal["active", "suspended", "revoked"]
    licence_verified_on: date
    products: list[ProductIn] = Field(min_length=1, max_length=50)
    offer_version: Literal[1, 2] | None = Field(
        default=None,
        description="Which offer event the partner reads; unset keeps the partner's (2 if new)",
    )
    status: str | None = Field(
        default=None,
        description="Read-only: onboarding sets it. Accepted so that an entry read with GET "
        "can be sent back as it is; its value is ignored.",
    )
    callback_url: str | None = Field(
        default=None,
        max_length=2000,
        description="An https URL (no query) that receives the partner's events, signed "
        '(docs/partners.md "Webhooks"); null removes it, absent keeps the partner\'s',
        examples=["https://hooks.bank-nusantara.example/jembatan/events"],
    )

    def to_partner(self, code: str, current: Partner | None = None) -> Partner:
        version = self.offer_version or (current.offer_version if current else 2)
        kept = current.callback_url if current else None
        return Partner(
            offer_version=version,
            callback_url=self.callback_url if "callback_url" in self.model_fields_set else kept,
            status=current.status if current else "provisioning",
            code=code,
            name=self.name,
            kind=self.kind,
            regulator=self.regulator,
            licence_type=self.licence_type,
            licence_number=self.licence_number,
            licence_status=self.licence_status,
            licence_verified_on=self.licence_verified_on,
            products=tuple(
                Product(
                    code=p.code,
                    partner_code=code,
                    name=p.name,
                    kind=p.kind,
                    fee_sheet=FeeSheet(**p.fee_sheet.model_dump()),
                    rules=tuple(Rule(r.kind, r.value) for r in p.rules),
                )
                for p in self.products
            ),
        )


class WebhookKey(BaseModel):
    key_id: str = Field(description="the SHA-256 of the key's DER, 16 hex digits")
    algorithm: Literal["SHA256withRSA"] = Field(
        description="RSASSA-PKCS1-v1_5 with SHA-256, the signature Base64 in X-SIGNATURE"
    )
    public_key_pem: str = Field(description="SubjectPublicKeyInfo, PEM")


class WebhookKeys(BaseModel):
    """The keys that sign Jembatan's webhooks: a delivery is genuine if one of them verifies
    it (two while a key is being replaced)."""

    keys: list[WebhookKey]
    string_to_sign: str = Field(
        description="what X-SIGNATURE covers",
        examples=[
            "POST:/jembatan/events:<lowercase hex SHA-256 of the minified body>:"
            "2026-12-07T10:55:00+07:00"
        ],
    )


class PartnerSecret(BaseModel):
    client_id: str = Field(description="the partner's Keycloak client")
    client_secret: str = Field(description="shown once; the previous secret no longer works")


class PartnerApplicant(partner_contracts.Applicant):
    """The applicant of a referral, as offers v1 carried it inline: only consented fields."""


class ErasureConfirmation(BaseModel):
    """A partner's word that it erased the applicant of a referral of an erased client."""

    model_config = ConfigDict(extra="forbid")

    erased_at: AwareDatetime | None = Field(
        default=None,
        description="when you erased it (RFC 3339 with an offset); omitted: now",
    )


class PartnerErasureOut(BaseModel):
    """The erasure asked of you for one referral, and your confirmation."""

    referral_id: UUID
    requested_at: datetime
    erase_by: datetime
    confirmed_at: datetime | None = Field(description="when your confirmation reached us")
    erased_at: datetime | None = Field(description="when you said you erased it")
    in_time: bool | None = Field(description="confirmed by erase_by; null until confirmed")

    @classmethod
    def of(cls, erasure: PartnerErasure) -> PartnerErasureOut:
        return cls(
            referral_id=erasure.referral_id,
            requested_at=erasure.requested_at,
            erase_by=erasure.erase_by,
            confirmed_at=erasure.confirmed_at,
            erased_at=erasure.erased_at,
            in_time=erasure.in_time,
        )


class PartnerMonthOut(BaseModel):
    partner_code: str
    partner_name: str
    sent: int | None = Field(description="referrals sent in the month; null: 1 to 4")
    completed: int | None = Field(description="of them, completed by now; null: 1 to 4")
    conversion: float | None = Field(description="completed / sent, when both are 5 or more")
    sla_breaches: int | None = Field(
        description="not acknowledged in 2 working days, or the outcome late; null: 1 to 4"
    )


class PartnerSummary(BaseModel):
    period: str
    region: str
    min_cell: int
    partners: list[PartnerMonthOut]
