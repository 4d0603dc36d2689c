"""Events published by the client service on `client.events` (key: the client id).

An internal topic. Since v2 a person's values (name, birth date, sex, disability, contact,
business) travel only inside `sealed`, encrypted under that client's own data key, which the
client service destroys when the client is erased (shared.sealing, decision 0015); the
v1 types, which carried them in clear, are no longer published. A NIK never travels.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel

from shared.contracts import Contract

TOPIC = "client.events"
SOURCE = "/services/client"

_CLIENT_ID = "0b8f3c2e-6a51-4c8e-9a57-2f6f1f3c1a10"
_OFFICER = "6f1d2c3b-0000-4000-8000-00000000a001"


class Contact(BaseModel):
    phone: str
    email: str | None = None


class BusinessInfo(BaseModel):
    nib: str
    name: str
    kbli: str
    scale: str


class ClientRegistered(Contract):
    """A client was registered by an officer."""

    TYPE: ClassVar[str] = "jembatan.client.registered.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "client_id": _CLIENT_ID,
        "kind": "worker",
        "region_code": "3273",
        "registered_at": "2026-11-29T03:15:00Z",
        "registered_by": _OFFICER,
        "full_name": "Dedi Kurniawan",
        "sex": "M",
        "birth_date": "1990-04-12",
        "disability": False,
        "preferred_language": "id",
        "contact": {"phone": "+6281234567890", "email": None},
    }

    client_id: UUID
    kind: Literal["worker", "business"]
    region_code: str
    registered_at: datetime
    registered_by: str
    full_name: str
    sex: Literal["F", "M"]
    birth_date: date
    disability: bool
    preferred_language: Literal["id", "en"]
    contact: Contact
    business: BusinessInfo | None = None


class ClientUpdated(Contract):
    """Fields of a client changed; the current contact details and language ride along."""

    TYPE: ClassVar[str] = "jembatan.client.updated.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "client_id": _CLIENT_ID,
        "region_code": "3273",
        "fields": ["phone"],
        "updated_at": "2026-11-30T02:00:00Z",
        "updated_by": _OFFICER,
        "preferred_language": "id",
        "contact": {"phone": "+6281234567891", "email": None},
    }

    client_id: UUID
    region_code: str
    fields: list[str]
    updated_at: datetime
    updated_by: str
    preferred_language: Literal["id", "en"]
    contact: Contact


class ConsentGranted(Contract):
    """The client consented to a purpose (for referrals: one partner, with a scope)."""

    TYPE: ClassVar[str] = "jembatan.consent.granted.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "consent_id": "5a0c7f0e-1d7e-4f57-8b0c-1d2e3f4a5b6c",
        "client_id": _CLIENT_ID,
        "region_code": "3273",
        "purpose": "referral",
        "partner_code": "bank-nusantara",
        "scope": ["contact", "identity"],
        "channels": [],
        "text_version": "referral-id-2026-01",
        "granted_at": "2026-11-29T03:20:00Z",
        "granted_by": _OFFICER,
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
        "client_id": _CLIENT_ID,
        "region_code": "3273",
        "purpose": "referral",
        "partner_code": "bank-nusantara",
        "withdrawn_at": "2026-12-05T08:00:00Z",
        "withdrawn_by": _OFFICER,
    }

    consent_id: UUID
    client_id: UUID
    region_code: str
    purpose: Literal["case_management", "referral", "notifications"]
    partner_code: str | None
    withdrawn_at: datetime
    withdrawn_by: str


_SEALED_EXAMPLE = "s1.c2VhbGVkIHVuZGVyIHRoZSBjbGllbnQncyBvd24gZGF0YSBrZXk="


class RegisteredPersonal(BaseModel):
    """What `ClientRegisteredV2.sealed` holds, once opened with the client's data key."""

    full_name: str
    sex: Literal["F", "M"]
    birth_date: date
    disability: bool
    contact: Contact
    business: BusinessInfo | None = None


class ClientRegisteredV2(Contract):
    """A client was registered by an officer; the person's values are sealed."""

    TYPE: ClassVar[str] = "jembatan.client.registered.v2"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "client_id": _CLIENT_ID,
        "kind": "worker",
        "region_code": "3273",
        "registered_at": "2026-11-29T03:15:00Z",
        "registered_by": _OFFICER,
        "preferred_language": "id",
        "sealed": _SEALED_EXAMPLE,
    }

    client_id: UUID
    kind: Literal["worker", "business"]
    region_code: str
    registered_at: datetime
    registered_by: str
    preferred_language: Literal["id", "en"]
    sealed: str  # RegisteredPersonal under the client's data key (shared.sealing)


class UpdatedPersonal(BaseModel):
    """What `ClientUpdatedV2.sealed` holds: the current contact details."""

    contact: Contact


class ClientUpdatedV2(Contract):
    """Fields of a client changed; the current contact details ride along, sealed."""

    TYPE: ClassVar[str] = "jembatan.client.updated.v2"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "client_id": _CLIENT_ID,
        "region_code": "3273",
        "fields": ["phone"],
        "updated_at": "2026-11-30T02:00:00Z",
        "updated_by": _OFFICER,
        "preferred_language": "id",
        "sealed": _SEALED_EXAMPLE,
    }

    client_id: UUID
    region_code: str
    fields: list[str]
    updated_at: datetime
    updated_by: str
    preferred_language: Literal["id", "en"]
    sealed: str  # UpdatedPersonal under the client's data key


PUBLISHED: list[type[Contract]] = [
    ClientRegisteredV2,
    ClientUpdatedV2,
    ConsentGranted,
    ConsentWithdrawn,
]
# Published until 2026-12-07, with the person's values in clear: still read by the consumers
# (their records stay on the topic for its retention), never written again.
RETIRED: list[type[Contract]] = [ClientRegistered, ClientUpdated]


class _CaseEvent(Contract):
    case_id: UUID
    client_id: UUID
    region_code: str
    status: Literal["open", "in_progress", "closed"]
    assigned_to: str
    occurred_at: datetime


_CASE_EXAMPLE: dict[str, Any] = {
    "case_id": "2e9d1b7a-4c3f-4a8e-9b6d-7c5e4f3a2b1c",
    "client_id": _CLIENT_ID,
    "region_code": "3273",
    "status": "open",
    "assigned_to": _OFFICER,
    "occurred_at": "2026-11-29T03:25:00Z",
}


class CaseOpened(_CaseEvent):
    """An officer opened a case for a client."""

    TYPE: ClassVar[str] = "jembatan.case.opened.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = _CASE_EXAMPLE


class CaseAssigned(_CaseEvent):
    """A case was (re)assigned to an officer, e.g. in a supervisor's bulk reassignment."""

    TYPE: ClassVar[str] = "jembatan.case.assigned.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = _CASE_EXAMPLE


class CaseClosed(_CaseEvent):
    """A case was closed."""

    TYPE: ClassVar[str] = "jembatan.case.closed.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {**_CASE_EXAMPLE, "status": "closed"}


class CaseReopened(_CaseEvent):
    """A closed case was opened again (the client came back with the same matter)."""

    TYPE: ClassVar[str] = "jembatan.case.reopened.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = _CASE_EXAMPLE


PUBLISHED += [CaseOpened, CaseAssigned, CaseClosed, CaseReopened]


class DuplicateSuspected(Contract):
    """A new client looks like one already registered in the regency (for a supervisor)."""

    TYPE: ClassVar[str] = "jembatan.client.duplicate_suspected.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "flag_id": "3f2e1d0c-9b8a-4765-8432-10fedcba9876",
        "client_id": _CLIENT_ID,
        "candidate_id": "9a8b7c6d-5e4f-4321-8765-43210fedcba9",
        "region_code": "3273",
        "reason": "same_phone",
        "flagged_at": "2026-11-29T03:15:01Z",
    }

    flag_id: UUID
    client_id: UUID
    candidate_id: UUID
    region_code: str
    reason: Literal["same_phone", "same_name_and_birth_date"]
    flagged_at: datetime


class ClientMerged(Contract):
    """A supervisor merged a duplicate into the client it duplicated; both records remain."""

    TYPE: ClassVar[str] = "jembatan.client.merged.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "client_id": _CLIENT_ID,
        "merged_client_id": "9a8b7c6d-5e4f-4321-8765-43210fedcba9",
        "region_code": "3273",
        "merged_by": _OFFICER,
        "merged_at": "2026-11-30T02:00:00Z",
    }

    client_id: UUID
    merged_client_id: UUID
    region_code: str
    merged_by: str
    merged_at: datetime


PUBLISHED += [DuplicateSuspected, ClientMerged]


class TaskDue(Contract):
    """A follow-up task fell due today (the office's date); reminders and dashboards react."""

    TYPE: ClassVar[str] = "jembatan.task.due.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "task_id": "8e7d6c5b-4a39-4281-9706-5f4e3d2c1b0a",
        "case_id": "2e9d1b7a-4c3f-4a8e-9b6d-7c5e4f3a2b1c",
        "client_id": _CLIENT_ID,
        "region_code": "3273",
        "kind": "account_follow_up_30",
        "due_on": "2027-01-06",
    }

    task_id: UUID
    case_id: UUID
    client_id: UUID
    region_code: str
    kind: str | None
    due_on: date


PUBLISHED += [TaskDue]


class FollowUpAnswered(Contract):
    """The officer recorded the client's answers to an account follow-up (30 or 90 days after
    a partner opened the account): the facts behind the ministry's figures of accounts held in
    the client's own name and still in use. Answers only; the officer's note stays in the
    client service."""

    TYPE: ClassVar[str] = "jembatan.follow_up.answered.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "task_id": "8e7d6c5b-4a39-4281-9706-5f4e3d2c1b0a",
        "case_id": "2e9d1b7a-4c3f-4a8e-9b6d-7c5e4f3a2b1c",
        "client_id": _CLIENT_ID,
        "region_code": "3273",
        "days": 90,
        "due_on": "2027-03-06",
        "account_in_own_name": True,
        "account_in_use": True,
        "answered_at": "2027-03-08T02:15:00Z",
    }

    task_id: UUID
    case_id: UUID
    client_id: UUID
    region_code: str
    days: Literal[30, 90]  # the follow-up: 30 or 90 days after the account was opened
    due_on: date  # the follow-up's day in the office's calendar
    account_in_own_name: bool | None  # asked at 30 days; None when not asked
    account_in_use: bool  # used in the last 30 days
    answered_at: datetime


PUBLISHED += [FollowUpAnswered]


class ClientErased(Contract):
    """The client asked to be erased: every service deletes or anonymises what it holds of
    them (UU 27/2022 Pasal 43); their data key is already destroyed (decision 0015)."""

    TYPE: ClassVar[str] = "jembatan.client.erased.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "client_id": _CLIENT_ID,
        "region_code": "3273",
        "request_id": "7d6c5b4a-3928-4176-9a5b-4c3d2e1f0a9b",
        "erased_at": "2026-12-07T03:00:00Z",
    }

    client_id: UUID
    region_code: str
    request_id: UUID
    erased_at: datetime


class ClientRestricted(Contract):
    """The client asked that their data not be processed further for now (or lifted that):
    while `restricted`, no new referral and no message (UU 27/2022 Pasal 41)."""

    TYPE: ClassVar[str] = "jembatan.client.restricted.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "client_id": _CLIENT_ID,
        "region_code": "3273",
        "restricted": True,
        "request_id": "7d6c5b4a-3928-4176-9a5b-4c3d2e1f0a9b",
        "changed_at": "2026-12-07T03:00:00Z",
    }

    client_id: UUID
    region_code: str
    restricted: bool
    request_id: UUID
    changed_at: datetime


PUBLISHED += [ClientErased, ClientRestricted]


# A suspected personal-data breach (UU 27/2022 Pasal 46). The breach record itself holds
# counts by region, never a person; these events carry what notify needs to tell people and
# administrators, and nothing personal: the handling text is checked for NIKs and phone
# numbers when the breach is recorded.
BreachCategory = Literal["unauthorised_access", "disclosure", "alteration", "loss", "destruction"]
BreachDataKind = Literal[
    "nik",
    "name",
    "birth_date_and_sex",
    "contact",
    "disability",
    "financial_profile",
    "business",
    "case_notes",
]
_BREACH_ID = "4b3a2918-0f7e-4d6c-8b5a-493827160f5e"


class BreachNoticeApproved(Contract):
    """An administrator approved telling a client of a breach that may touch their record.

    One event per affected client (UU 27/2022 Pasal 46), which notify sends as a message."""

    TYPE: ClassVar[str] = "jembatan.breach.notice_approved.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "breach_id": _BREACH_ID,
        "client_id": _CLIENT_ID,
        "region_code": "3273",
        "category": "unauthorised_access",
        "data_kinds": ["name", "contact"],
        "found_at": "2026-12-07T01:30:00Z",
        "handling": "Akses ditutup, kata sandi diganti, dan sistem diperiksa ulang.",
        "approved_at": "2026-12-07T06:00:00Z",
    }

    breach_id: UUID
    client_id: UUID
    region_code: str
    category: BreachCategory
    data_kinds: list[BreachDataKind]
    found_at: datetime
    handling: str  # what was done about it, as told to people (no personal value)
    approved_at: datetime


class BreachEscalated(Contract):
    """A breach passed its 3 x 24-hour deadline untold (key: the breach id, no client's).

    Published once per breach, naming who was still waiting: the people, the authority."""

    TYPE: ClassVar[str] = "jembatan.breach.escalated.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "breach_id": _BREACH_ID,
        "category": "unauthorised_access",
        "region_codes": ["3273"],
        "found_at": "2026-12-07T01:30:00Z",
        "due_at": "2026-12-10T01:30:00Z",
        "pending": ["people", "authority"],
        "escalated_at": "2026-12-10T01:31:00Z",
    }

    breach_id: UUID
    category: BreachCategory
    region_codes: list[str]
    found_at: datetime
    due_at: datetime
    pending: list[Literal["people", "authority"]]
    escalated_at: datetime


PUBLISHED += [BreachNoticeApproved, BreachEscalated]
