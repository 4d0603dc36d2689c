"""What callers ask of training, one dataclass per use case, each answered with its result type.

Reads are messages too: a route never opens a transaction, it sends a message on the bus and
shapes the answer it gets back (`entrypoints/schemas.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from shared.auth import Principal
from shared.messagebus import Command
from shared.sheets import MAX_REPORTED_REJECTIONS
from training.domain.training_session import Enrolment, TrainingSession


@dataclass(frozen=True)
class SessionPage:
    rows: list[dict[str, Any]]
    next_cursor: str | None


@dataclass
class Report:
    """What an attendance sheet did: rows read, recorded, and the first rejected with why."""

    id: UUID
    rows: int = 0
    recorded: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    repeated_upload: bool = False

    def reject(self, row: int, field_name: str, message: str) -> None:
        if len(self.rejected) < MAX_REPORTED_REJECTIONS:
            self.rejected.append({"row": row, "field": field_name, "message": message})

    @property
    def rejected_total(self) -> int:
        """Every rejected row: each row is recorded or rejected."""
        return self.rows - self.recorded


@dataclass(frozen=True)
class Participation:
    """One participant's place after a change: who (as resolved) and their enrolment."""

    participant: str
    enrolment: Enrolment


# programmes


@dataclass(frozen=True)
class PutProgramme(Command[None]):
    code: str
    title: str
    modules: tuple[str, ...]
    duration_hours: int
    audience: str
    language: str
    min_attendance_percent: int
    min_post_score: int


@dataclass(frozen=True)
class ListProgrammes(Command[list[dict[str, Any]]]):
    pass


# sessions


@dataclass(frozen=True)
class ScheduleSession(Command[TrainingSession]):
    actor: Principal
    programme_code: str
    region_code: str
    days: tuple[date, ...]
    starts_at: datetime
    trainer: str
    capacity: int
    venue: str | None
    online_link: str | None


@dataclass(frozen=True)
class ListSessions(Command[SessionPage]):
    actor: Principal
    starting_from: date | None
    limit: int
    cursor: str | None


@dataclass(frozen=True)
class ViewSession(Command[TrainingSession]):
    actor: Principal
    session_id: UUID


@dataclass(frozen=True)
class RescheduleSession(Command[TrainingSession]):
    actor: Principal
    session_id: UUID
    days: tuple[date, ...]
    starts_at: datetime
    venue: str | None
    online_link: str | None


@dataclass(frozen=True)
class CancelSession(Command[TrainingSession]):
    actor: Principal
    session_id: UUID


# participants


@dataclass(frozen=True)
class Enrol(Command[str]):
    """Answered with the place: enrolled or waiting."""

    actor: Principal
    session_id: UUID
    participant: str


@dataclass(frozen=True)
class CancelEnrolment(Command[tuple[str, str | None]]):
    """Answered with who cancelled and who moved up from the waiting list (if anyone)."""

    actor: Principal
    session_id: UUID
    participant: str


@dataclass(frozen=True)
class RecordAttendance(Command[Participation]):
    actor: Principal
    session_id: UUID
    participant: str
    day: date
    present: bool = True


@dataclass(frozen=True)
class RecordScores(Command[Participation]):
    actor: Principal
    session_id: UUID
    participant: str
    pre_score: int | None
    post_score: int | None


@dataclass(frozen=True)
class ScoreLine:
    participant: str
    pre_score: int | None
    post_score: int | None


@dataclass(frozen=True)
class RecordSessionScores(Command[TrainingSession]):
    actor: Principal
    session_id: UUID
    lines: tuple[ScoreLine, ...]


@dataclass(frozen=True)
class ImportAttendance(Command[Report]):
    actor: Principal
    session_id: UUID
    filename: str
    content: bytes


# records and certificates


@dataclass(frozen=True)
class SessionCertificates(Command[list[dict[str, Any]]]):
    actor: Principal
    session_id: UUID


@dataclass(frozen=True)
class OfficersRecords(Command[list[dict[str, Any]]]):
    actor: Principal


@dataclass(frozen=True)
class TrainingRecords(Command[list[dict[str, Any]]]):
    """A client's (`client:<id>`, region-scoped) or the caller's own (`me`) trainings."""

    actor: Principal
    who: str


@dataclass(frozen=True)
class VerifyCertificate(Command[dict[str, Any]]):
    code: str
