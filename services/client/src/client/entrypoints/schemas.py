"""The HTTP shapes of client intake (separate from the domain and the tables)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from client.domain.model import Client


class NewClient(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["worker", "business"]
    nik: str = Field(description="16-digit NIK; stored encrypted, answered masked")
    full_name: str = Field(min_length=1, max_length=200)
    birth_date: date
    sex: Literal["F", "M"]
    phone: str = Field(description="Indonesian mobile number, e.g. +6281234567890 or 081234567890")
    email: str | None = Field(default=None, max_length=254)
    region_code: str = Field(pattern=r"^\d{4}$", description="Kemendagri regency/city code")
    preferred_language: Literal["id", "en"] = "id"
    disability: bool = False

    @field_validator("nik")
    @classmethod
    def _nik_digits(cls, value: str) -> str:
        if len(value) != 16 or not value.isdigit():
            raise ValueError("must be exactly 16 digits")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        digits = value.replace(" ", "").replace("-", "")
        if digits.startswith("0"):
            digits = "+62" + digits[1:]
        if not (digits.startswith("+628") and digits[1:].isdigit() and 11 <= len(digits) <= 15):
            raise ValueError("must be an Indonesian mobile number (08… or +628…)")
        return digits

    @field_validator("full_name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("must not be empty")
        return value


class ClientOut(BaseModel):
    id: UUID
    kind: str
    nik: str = Field(description="masked, e.g. 3273**********01")
    full_name: str
    birth_date: date
    sex: str
    phone: str
    email: str | None
    region_code: str
    preferred_language: str
    disability: bool
    registered_at: datetime

    @classmethod
    def of(cls, client: Client) -> ClientOut:
        return cls(
            id=client.id,
            kind=client.kind,
            nik=client.nik.masked,
            full_name=client.full_name,
            birth_date=client.birth_date,
            sex=client.sex,
            phone=client.phone,
            email=client.email,
            region_code=client.region_code,
            preferred_language=client.preferred_language,
            disability=client.disability,
            registered_at=client.registered_at,
        )


class ClientPage(BaseModel):
    items: list[ClientOut]
    next_cursor: str | None
