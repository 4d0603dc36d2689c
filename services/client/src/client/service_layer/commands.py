"""What callers ask the client service to do."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from shared.auth import Principal


@dataclass(frozen=True)
class RegisterClient:
    actor: Principal
    kind: str
    nik: str
    full_name: str
    birth_date: date
    sex: str
    phone: str
    region_code: str
    email: str | None = None
    preferred_language: str = "id"
    disability: bool = False
    financial_profile: dict[str, bool] = field(default_factory=dict)
    business: dict[str, Any] | None = None


@dataclass(frozen=True)
class UpdateClient:
    actor: Principal
    client_id: UUID
    changes: dict[str, Any]


@dataclass(frozen=True)
class GrantConsent:
    actor: Principal
    client_id: UUID
    purpose: str
    text_version: str
    partner_code: str | None = None
    scope: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class WithdrawConsent:
    actor: Principal
    client_id: UUID
    consent_id: UUID


@dataclass(frozen=True)
class OpenCase:
    actor: Principal
    client_id: UUID
    title: str
    assigned_to: str | None = None


@dataclass(frozen=True)
class ChangeCaseStatus:
    actor: Principal
    client_id: UUID
    case_id: UUID
    status: str


@dataclass(frozen=True)
class AddNote:
    actor: Principal
    client_id: UUID
    case_id: UUID
    body: str


@dataclass(frozen=True)
class AddTask:
    actor: Principal
    client_id: UUID
    case_id: UUID
    title: str
    due_in_working_days: int


@dataclass(frozen=True)
class CompleteTask:
    actor: Principal
    client_id: UUID
    case_id: UUID
    task_id: UUID
    outcome: str
    account_in_own_name: bool | None = None
    account_in_use: bool | None = None


@dataclass(frozen=True)
class ReassignCases:
    actor: Principal
    case_ids: tuple[UUID, ...]
    assigned_to: str


@dataclass(frozen=True)
class AttachDocument:
    actor: Principal
    client_id: UUID
    case_id: UUID
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
