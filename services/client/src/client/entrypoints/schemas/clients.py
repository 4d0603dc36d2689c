"""The HTTP shapes of a client: the registration form, its changes, the record answered,
and the profile the referral service reads (cut to a consent's scope)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from client.domain import reference
from client.domain.model import Client
from client.domain.phone import InvalidPhone, parse_phone


class FinancialProfileIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    has_bank_account: bool = False
    has_ewallet: bool = False
    wages_paid_digitally: bool = False
    uses_qris: bool = False


class BusinessIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nib: str = Field(pattern=r"^\d{13}$", description="Nomor Induk Berusaha, 13 digits")
    name: str = Field(min_length=1, max_length=200)
    kbli: str = Field(
        pattern=r"^\d{5}$", description="KBLI 2020 code, 5 digits, one of the classification's"
    )
    scale: Literal["mikro", "kecil", "menengah"] | None = Field(
        default=None,
        description="PP 7/2021 scale; left out, it follows from annual_revenue_idr or "
        "capital_idr, and when given it must be that one",
    )
    employees: int = Field(ge=0)
    annual_revenue_idr: int | None = Field(default=None, ge=0)
    capital_idr: int | None = Field(
        default=None, ge=0, description="business capital for a new business (PP 7/2021)"
    )

    @field_validator("kbli")
    @classmethod
    def _kbli_listed(cls, value: str) -> str:
        if value not in reference.kbli_titles():
            raise ValueError("is not a code of the KBLI 2020 list")
        return value


def _name(value: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise ValueError("must not be empty")
    return value


def _indonesian_phone(value: str) -> str:
    """Checked here too, so that a form hears of every wrong field in one answer."""
    try:
        parse_phone(value)
    except InvalidPhone as exc:
        raise ValueError(str(exc)) from None
    return value


class NewClient(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["worker", "business"]
    nik: str = Field(description="16-digit NIK; stored encrypted, answered masked")
    full_name: str = Field(min_length=1, max_length=200)
    birth_date: date
    sex: Literal["F", "M"]
    phone: str = Field(max_length=32, description="e.g. 0812-3456-7890 or +6281234567890")
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    region_code: str = Field(pattern=r"^\d{4}$", description="Kemendagri regency/city of domicile")
    preferred_language: Literal["id", "en"] = "id"
    disability: bool = False
    financial_profile: FinancialProfileIn = Field(default_factory=FinancialProfileIn)
    business: BusinessIn | None = None

    @field_validator("nik")
    @classmethod
    def _nik_digits(cls, value: str) -> str:
        value = value.replace(" ", "").replace(".", "").replace("-", "")
        if len(value) != 16 or not value.isdigit():
            raise ValueError("must be exactly 16 digits")
        return value

    _full_name = field_validator("full_name")(_name)
    _phone = field_validator("phone")(_indonesian_phone)


class ClientChanges(BaseModel):
    """Fields an officer may change; the NIK, birth date, sex and kind follow the NIK."""

    model_config = ConfigDict(extra="forbid")

    full_name: str | None = Field(default=None, min_length=1, max_length=200)
    phone: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    region_code: str | None = Field(default=None, pattern=r"^\d{4}$")
    preferred_language: Literal["id", "en"] | None = None
    disability: bool | None = None
    financial_profile: FinancialProfileIn | None = None
    business: BusinessIn | None = None

    @field_validator(
        "full_name",
        "phone",
        "region_code",
        "preferred_language",
        "disability",
        "financial_profile",
        mode="before",
    )
    @classmethod
    def _kept(cls, value: Any) -> Any:
        """Left out, these stay as they are; they cannot be emptied (only email and the
        business can)."""
        if value is None:
            raise ValueError("cannot be removed; leave it out to keep it")
        return value

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class ClientOut(BaseModel):
    id: UUID
    kind: str
    nik: str = Field(description="masked, e.g. 3273**********01")
    nik_warnings: list[str]
    full_name: str
    birth_date: date
    sex: str
    phone: str
    phone_is_mobile: bool
    email: str | None
    region_code: str
    region_code_set: str
    preferred_language: str
    disability: bool
    financial_profile: dict[str, bool]
    business: dict[str, Any] | None
    registered_at: datetime
    updated_at: datetime | None
    version: int
    merged_into: UUID | None = None
    restricted: bool = Field(
        default=False, description="processing restricted at the client's request"
    )

    @classmethod
    def of(cls, client: Client) -> ClientOut:
        return cls(
            id=client.id,
            kind=client.kind,
            nik=client.nik_masked,
            nik_warnings=list(client.nik_warnings),
            full_name=client.full_name,
            birth_date=client.birth_date,
            sex=client.sex,
            phone=client.phone,
            phone_is_mobile=client.phone_is_mobile,
            email=client.email,
            region_code=client.region_code,
            region_code_set=client.region_code_set,
            preferred_language=client.preferred_language,
            disability=client.disability,
            financial_profile=dataclasses.asdict(client.financial_profile),
            business=dataclasses.asdict(client.business) if client.business else None,
            registered_at=client.registered_at,
            updated_at=client.updated_at,
            version=client.version,
            merged_into=client.merged_into,
            restricted=client.restricted,
        )


class ClientPage(BaseModel):
    items: list[ClientOut]
    next_cursor: str | None


class RevealedNik(BaseModel):
    nik: str


class ReferralProfile(BaseModel):
    """A client's details cut to a live referral consent's scope (for the referral service)."""

    client_id: UUID
    kind: str
    region_code: str
    consent_id: UUID
    consent_granted_at: datetime
    scope: list[str]
    full_name: str | None = None
    phone: str | None = None
    nik: str | None = None
    birth_date: date | None = None
    sex: str | None = None
    business: dict[str, Any] | None = None
