"""The HTTP shapes of client intake (separate from the domain and the tables)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from client.domain import reference
from client.domain.consent import Consent
from client.domain.model import Client
from client.domain.phone import InvalidPhone, parse_phone
from shared.sheets import MAX_REPORTED_REJECTIONS

Scope = Literal["contact", "identity", "business"]
Channel = Literal["sms", "whatsapp", "email"]


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


class TimelineEntry(BaseModel):
    event_id: UUID
    event_type: str
    source: str
    occurred_at: datetime
    summary: dict[str, Any]


class TimelinePage(BaseModel):
    items: list[TimelineEntry]
    next_cursor: str | None


class AuditEntry(BaseModel):
    actor: str
    actor_username: str | None
    record_id: UUID
    record_type: str = Field(
        description="What was read: client (the record), consents, timeline or cases"
    )
    purpose: str
    reference: str | None = Field(default=None, description="e.g. the referral a partner read")
    read_at: datetime


class AuditPage(BaseModel):
    items: list[AuditEntry]


class ImportRejection(BaseModel):
    row: int
    field: str
    message: str


class ImportOut(BaseModel):
    id: UUID
    filename: str
    rows: int
    registered: int
    already_registered: int
    rejected: list[ImportRejection] = Field(
        description=f"the first {MAX_REPORTED_REJECTIONS:,} rejected rows, with their reasons"
    )
    rejected_total: int = Field(description="every rejected row, listed or not")
    repeated_upload: bool = Field(description="the same sheet was imported before: nothing new")
    rejects_url: str


class ImportJobOut(BaseModel):
    """A sheet being registered in the background; poll it until `status` is done or failed."""

    id: UUID
    filename: str
    status: Literal["queued", "running", "done", "failed"]
    rows_total: int | None = Field(description="the sheet's rows, once it was read")
    rows_done: int = Field(description="rows handled so far: registered, known or rejected")
    percent: int | None = Field(description="0-100; null while the sheet is being read")
    error: str | None = Field(description="why a failed sheet could not be read")
    report: ImportOut | None = Field(description="the import's report, once done")


class NewCase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    assigned_to: str | None = Field(default=None, description="officer's user id; default: you")


class CaseStatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["open", "in_progress", "closed"]


class NewNote(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=5000)


class NewTask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    due_in_working_days: int = Field(ge=0, le=260, description="Indonesian working days from today")


class NoteOut(BaseModel):
    id: UUID
    author: str
    body: str
    created_at: datetime


class TaskCompletion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: str = Field(
        min_length=1, max_length=2000, description="what came of it, in the officer's words"
    )
    account_in_own_name: bool | None = Field(
        default=None,
        description="an account follow-up at 30 days: is the account in the client's own name",
    )
    account_in_use: bool | None = Field(
        default=None,
        description="an account follow-up (30 or 90 days): was it used in the last 30 days",
    )


class TaskOut(BaseModel):
    id: UUID
    kind: str | None = None
    title: str
    due_on: date
    done_at: datetime | None
    overdue: bool
    asks: list[str] = Field(
        default_factory=list,
        description="the client's answers completing it takes (an account follow-up's)",
    )
    done_by: str | None = None
    outcome: str | None = None
    account_in_own_name: bool | None = None
    account_in_use: bool | None = None


class StaffOut(BaseModel):
    subject: str
    username: str
    region_code: str


class StaffList(BaseModel):
    items: list[StaffOut]


class DueTaskOut(BaseModel):
    id: UUID
    case_id: UUID
    client_id: UUID
    kind: str | None
    title: str
    due_on: date
    overdue: bool


class DueTaskList(BaseModel):
    items: list[DueTaskOut]


class NewAttachment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(min_length=3, max_length=100, pattern=r"^[\w.+-]+/[\w.+-]+$")
    size_bytes: int = Field(ge=0, le=50 * 1024 * 1024)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class AttachmentOut(BaseModel):
    id: UUID
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    added_at: datetime


class CaseOut(BaseModel):
    id: UUID
    client_id: UUID
    title: str
    status: str
    assigned_to: str
    opened_at: datetime
    closed_at: datetime | None
    notes: list[NoteOut] = Field(default_factory=list)
    tasks: list[TaskOut] = Field(default_factory=list)
    attachments: list[AttachmentOut] = Field(default_factory=list)


class CaseList(BaseModel):
    items: list[CaseOut]


class Reassignment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case_ids: list[UUID] = Field(min_length=1, max_length=500)
    assigned_to: str = Field(min_length=1, max_length=100)


class DuplicateFlagOut(BaseModel):
    id: UUID
    client_id: UUID
    candidate_id: UUID
    reason: str
    status: str
    flagged_at: datetime


class DuplicateFlagList(BaseModel):
    items: list[DuplicateFlagOut]


class MergeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    keep: UUID | None = Field(
        default=None, description="the client that survives; default: the earlier one"
    )


class MergeOut(BaseModel):
    survivor_id: UUID


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
