"""Personal-data breaches (UU 27/2022 Pasal 46): a client to be told, a deadline missed."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal
from uuid import UUID

from shared.contracts import Contract
from shared.contracts.client.topic import CLIENT_ID_EXAMPLE, TOPIC

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
        "client_id": CLIENT_ID_EXAMPLE,
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
