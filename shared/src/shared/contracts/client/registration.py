"""A client registered, changed, suspected a duplicate of another, merged into one.

Since v2 the person's values travel only inside `sealed`; the v1 types carried them in
clear and are still read, never written (`RETIRED`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel

from shared.contracts import Contract
from shared.contracts.client.topic import CLIENT_ID_EXAMPLE, OFFICER_EXAMPLE, SEALED_EXAMPLE, TOPIC


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
        "client_id": CLIENT_ID_EXAMPLE,
        "kind": "worker",
        "region_code": "3273",
        "registered_at": "2026-11-29T03:15:00Z",
        "registered_by": OFFICER_EXAMPLE,
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
        "client_id": CLIENT_ID_EXAMPLE,
        "region_code": "3273",
        "fields": ["phone"],
        "updated_at": "2026-11-30T02:00:00Z",
        "updated_by": OFFICER_EXAMPLE,
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
        "client_id": CLIENT_ID_EXAMPLE,
        "kind": "worker",
        "region_code": "3273",
        "registered_at": "2026-11-29T03:15:00Z",
        "registered_by": OFFICER_EXAMPLE,
        "preferred_language": "id",
        "sealed": SEALED_EXAMPLE,
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
        "client_id": CLIENT_ID_EXAMPLE,
        "region_code": "3273",
        "fields": ["phone"],
        "updated_at": "2026-11-30T02:00:00Z",
        "updated_by": OFFICER_EXAMPLE,
        "preferred_language": "id",
        "sealed": SEALED_EXAMPLE,
    }

    client_id: UUID
    region_code: str
    fields: list[str]
    updated_at: datetime
    updated_by: str
    preferred_language: Literal["id", "en"]
    sealed: str  # UpdatedPersonal under the client's data key


class DuplicateSuspected(Contract):
    """A new client looks like one already registered in the regency (for a supervisor)."""

    TYPE: ClassVar[str] = "jembatan.client.duplicate_suspected.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "flag_id": "3f2e1d0c-9b8a-4765-8432-10fedcba9876",
        "client_id": CLIENT_ID_EXAMPLE,
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
        "client_id": CLIENT_ID_EXAMPLE,
        "merged_client_id": "9a8b7c6d-5e4f-4321-8765-43210fedcba9",
        "region_code": "3273",
        "merged_by": OFFICER_EXAMPLE,
        "merged_at": "2026-11-30T02:00:00Z",
    }

    client_id: UUID
    merged_client_id: UUID
    region_code: str
    merged_by: str
    merged_at: datetime
