"""Events published by the training service on `training.events`.

Key: the client id for a client's event; the session id for events about a session or an
officer's own training.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar, Literal
from uuid import UUID

from shared.contracts import Contract

TOPIC = "training.events"
SOURCE = "/services/training"


class TrainingCompleted(Contract):
    """A participant completed a programme under its rule; a certificate was issued."""

    TYPE: ClassVar[str] = "jembatan.training.completed.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "session_id": "4d3c2b1a-0f9e-4d8c-b7a6-958473625140",
        "programme_code": "literasi-keuangan-digital",
        "participant_kind": "client",
        "client_id": "0b8f3c2e-6a51-4c8e-9a57-2f6f1f3c1a10",
        "officer_id": None,
        "region_code": "3273",
        "knowledge_gain": 35,
        "certificate_code": "7KQ3M-X9TPA",
        "completed_at": "2026-12-08T09:30:00Z",
    }

    session_id: UUID
    programme_code: str
    participant_kind: Literal["client", "officer"]
    client_id: UUID | None
    officer_id: str | None
    region_code: str
    knowledge_gain: int | None
    certificate_code: str
    completed_at: datetime


PUBLISHED: list[type[Contract]] = [TrainingCompleted]


class EnrolmentChanged(Contract):
    """A participant's place in a session changed: enrolled, waitlisted, promoted or cancelled."""

    TYPE: ClassVar[str] = "jembatan.training.enrolment_changed.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "session_id": "4d3c2b1a-0f9e-4d8c-b7a6-958473625140",
        "programme_code": "literasi-keuangan-digital",
        "region_code": "3273",
        "participant_kind": "client",
        "client_id": "0b8f3c2e-6a51-4c8e-9a57-2f6f1f3c1a10",
        "officer_id": None,
        "change": "promoted",
        "changed_at": "2026-12-01T02:00:00Z",
        "programme_title": "Literasi keuangan digital",
        "starts_at": "2026-12-07T09:00:00+07:00",
    }

    session_id: UUID
    programme_code: str
    region_code: str
    participant_kind: Literal["client", "officer"]
    client_id: UUID | None
    officer_id: str | None
    change: Literal["enrolled", "waitlisted", "promoted", "enrolment_cancelled"]
    changed_at: datetime
    # Added in v1 (optional, so older messages stay valid): what the participant is told,
    # without waiting for the session's own event (it travels on another partition).
    programme_title: str | None = None
    starts_at: datetime | None = None


PUBLISHED += [EnrolmentChanged]


class _SessionFacts(Contract):
    session_id: UUID
    programme_code: str
    programme_title: str
    region_code: str
    days: list[date]
    starts_at: datetime
    venue: str | None
    online_link: str | None
    capacity: int


_SESSION_EXAMPLE: dict[str, Any] = {
    "session_id": "4d3c2b1a-0f9e-4d8c-b7a6-958473625140",
    "programme_code": "literasi-keuangan-digital",
    "programme_title": "Literasi keuangan digital",
    "region_code": "3273",
    "days": ["2026-12-07", "2026-12-08"],
    "starts_at": "2026-12-07T09:00:00+07:00",
    "venue": "Aula Kelurahan Sukasari",
    "online_link": None,
    "capacity": 30,
}


class SessionScheduled(_SessionFacts):
    """A session was scheduled. Keyed by the session id."""

    TYPE: ClassVar[str] = "jembatan.training.session_scheduled.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = _SESSION_EXAMPLE


class SessionChanged(_SessionFacts):
    """A session moved (days, start, place); the enrolled are to be told. Keyed by the session."""

    TYPE: ClassVar[str] = "jembatan.training.session_changed.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = _SESSION_EXAMPLE | {
        "starts_at": "2026-12-14T09:00:00+07:00"
    }


class SessionCancelled(Contract):
    """A session was cancelled; the enrolled are to be told. Keyed by the session id."""

    TYPE: ClassVar[str] = "jembatan.training.session_cancelled.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "session_id": "4d3c2b1a-0f9e-4d8c-b7a6-958473625140",
        "programme_code": "literasi-keuangan-digital",
        "region_code": "3273",
        "cancelled_at": "2026-12-01T02:00:00Z",
    }

    session_id: UUID
    programme_code: str
    region_code: str
    cancelled_at: datetime


class AttendanceRecorded(Contract):
    """A participant's attendance changed: the days attended so far out of the session's days."""

    TYPE: ClassVar[str] = "jembatan.training.attendance_recorded.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "session_id": "4d3c2b1a-0f9e-4d8c-b7a6-958473625140",
        "programme_code": "literasi-keuangan-digital",
        "region_code": "3273",
        "participant_kind": "client",
        "client_id": "0b8f3c2e-6a51-4c8e-9a57-2f6f1f3c1a10",
        "officer_id": None,
        "days_attended": 1,
        "days_total": 2,
        "recorded_at": "2026-12-07T09:10:00Z",
    }

    session_id: UUID
    programme_code: str
    region_code: str
    participant_kind: Literal["client", "officer"]
    client_id: UUID | None
    officer_id: str | None
    days_attended: int
    days_total: int
    recorded_at: datetime


PUBLISHED += [SessionScheduled, SessionChanged, SessionCancelled, AttendanceRecorded]
