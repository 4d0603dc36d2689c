"""What training's HTTP API reads and answers, as typed models: the OpenAPI shows every answer.

Times the API always wrote with Python's `isoformat()` (`+00:00`, never `Z`) stay strings in
that form, so no answer changes shape; their schema says `date-time`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.calendar import local_now, zone_label
from shared.sheets import MAX_REPORTED_REJECTIONS
from training.domain.programme import knowledge_gain
from training.domain.training_session import Enrolment, TrainingSession
from training.service_layer.commands import Participation, Report

IsoTime = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
IsoDay = Annotated[str, Field(json_schema_extra={"format": "date"})]

# what callers send


class ProgrammeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    modules: list[str] = Field(min_length=1)
    duration_hours: int = Field(ge=1, le=500)
    audience: Literal["clients", "officers", "both"]
    language: Literal["id", "en"] = "id"
    min_attendance_percent: int = Field(default=80, ge=0, le=100)
    min_post_score: int = Field(default=70, ge=0, le=100)


class SessionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    programme_code: str
    region_code: str = Field(pattern=r"^\d{4}$")
    days: list[date] = Field(min_length=1, max_length=30)
    starts_at: datetime = Field(description="with its offset, e.g. 2026-12-07T09:00:00+07:00")
    trainer: str = Field(min_length=1, max_length=100)
    capacity: int = Field(ge=1, le=1000)
    venue: str | None = Field(default=None, max_length=200)
    online_link: str | None = Field(default=None, max_length=500)


class RescheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    days: list[date] = Field(min_length=1, max_length=30)
    starts_at: datetime = Field(description="with its offset, on the first of the days")
    venue: str | None = Field(default=None, max_length=200)
    online_link: str | None = Field(default=None, max_length=500)


class EnrolmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    participant: str = Field(
        description="client:<client id>; me (your own training); a supervisor may name "
        "officer:<keycloak user id>"
    )


class AttendanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    participant: str
    day: date
    present: bool = True


class ScoresIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    participant: str
    pre_score: int | None = Field(default=None, ge=0, le=100)
    post_score: int | None = Field(default=None, ge=0, le=100)


class ParticipantScores(ScoresIn):
    """One line of a session's score sheet; an empty score leaves the recorded one."""


class SessionScoresIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scores: list[ParticipantScores] = Field(min_length=1, max_length=1000)


# what the API answers


class ProgrammeSaved(BaseModel):
    code: str


class ProgrammeOut(BaseModel):
    code: str
    title: str
    audience: Literal["clients", "officers", "both"]
    duration_hours: int


class ProgrammeList(BaseModel):
    items: list[ProgrammeOut]


class SessionDays(BaseModel):
    """A session scheduled or moved: its id and its days."""

    id: UUID
    days: list[IsoDay]

    @classmethod
    def of(cls, training: TrainingSession) -> SessionDays:
        return cls(id=training.id, days=[d.isoformat() for d in training.days])


class SessionCancelledOut(BaseModel):
    id: UUID
    cancelled: bool


LocalTime = Annotated[IsoTime, Field(description="the start in the region's own time zone")]
ZoneLabel = Annotated[str, Field(description="WIB, WITA or WIT")]


def local_start(region_code: str, at: datetime) -> str:
    """The start as the region's office reads it: in its own zone (WIB, WITA or WIT)."""
    return local_now(region_code, at).isoformat()


class SessionSummary(BaseModel):
    id: UUID
    programme_code: str
    programme_title: str
    region_code: str
    days: list[IsoDay]
    starts_at: IsoTime
    starts_at_local: LocalTime
    time_zone: ZoneLabel
    venue: str | None
    online_link: str | None
    capacity: int
    cancelled: bool

    @classmethod
    def of(cls, row: dict[str, Any]) -> SessionSummary:
        return cls(
            id=row["id"],
            programme_code=row["programme_code"],
            programme_title=row["programme_title"],
            region_code=row["region_code"],
            days=row["days"],
            starts_at=row["starts_at"].isoformat(),
            starts_at_local=local_start(row["region_code"], row["starts_at"]),
            time_zone=zone_label(row["region_code"]),
            venue=row["venue"],
            online_link=row["online_link"],
            capacity=row["capacity"],
            cancelled=row["cancelled"],
        )


class SessionList(BaseModel):
    items: list[SessionSummary]
    next_cursor: str | None


class ParticipantView(BaseModel):
    participant: str
    status: Literal["enrolled", "waiting"]
    days_attended: list[IsoDay]
    pre_score: int | None
    post_score: int | None
    knowledge_gain: int | None
    completed: bool
    certificate_code: str | None


class SessionView(BaseModel):
    """The session with each participant's attendance, scores and knowledge gain."""

    id: UUID
    programme_code: str
    programme_title: str
    region_code: str
    days: list[IsoDay]
    starts_at: IsoTime
    starts_at_local: LocalTime
    time_zone: ZoneLabel
    venue: str | None
    online_link: str | None
    trainer: str
    capacity: int
    cancelled: bool
    enrolled: list[str]
    waiting: list[str]
    participants: list[ParticipantView]
    mean_knowledge_gain: float | None


def describe(training: TrainingSession) -> SessionView:
    participants = []
    gains = []
    for e in training.enrolments:
        if e.status == "cancelled":
            continue
        gain = knowledge_gain(e.pre_score, e.post_score)
        if gain is not None:
            gains.append(gain)
        participants.append(
            ParticipantView(
                participant=e.participant,
                status=e.status,  # enrolled or waiting by now
                days_attended=sorted(d.isoformat() for d in e.attended),
                pre_score=e.pre_score,
                post_score=e.post_score,
                knowledge_gain=gain,
                completed=e.completed_at is not None,
                certificate_code=e.certificate_code,
            )
        )
    return SessionView(
        id=training.id,
        programme_code=training.programme_code,
        programme_title=training.programme_title,
        region_code=training.region_code,
        days=[d.isoformat() for d in training.days],
        starts_at=training.starts_at.isoformat(),
        starts_at_local=local_start(training.region_code, training.starts_at),
        time_zone=zone_label(training.region_code),
        venue=training.venue,
        online_link=training.online_link,
        trainer=training.trainer,
        capacity=training.capacity,
        cancelled=training.cancelled,
        enrolled=training.enrolled,
        waiting=training.waiting,
        participants=participants,
        mean_knowledge_gain=round(sum(gains) / len(gains), 1) if gains else None,
    )


class EnrolmentOut(BaseModel):
    participant: str
    status: Literal["enrolled", "waiting"]


class EnrolmentCancelled(BaseModel):
    cancelled: str = Field(description="the participant whose place was cancelled")
    promoted: str | None = Field(description="who moved up from the waiting list, if anyone")


class ParticipantRecord(BaseModel):
    """One participant's attendance and scores after a change."""

    participant: str
    attended: list[IsoDay]
    pre_score: int | None
    post_score: int | None
    knowledge_gain: int | None
    completed: bool
    certificate_code: str | None

    @classmethod
    def of(cls, done: Participation) -> ParticipantRecord:
        enrolment: Enrolment = done.enrolment
        return cls(
            participant=done.participant,
            attended=sorted(d.isoformat() for d in enrolment.attended),
            pre_score=enrolment.pre_score,
            post_score=enrolment.post_score,
            knowledge_gain=knowledge_gain(enrolment.pre_score, enrolment.post_score),
            completed=enrolment.completed_at is not None,
            certificate_code=enrolment.certificate_code,
        )


class RejectedRow(BaseModel):
    row: int
    field: str
    message: str


class AttendanceImport(BaseModel):
    id: UUID
    rows: int
    recorded: int
    rejected: list[RejectedRow] = Field(
        description=f"the first {MAX_REPORTED_REJECTIONS:,} rejected rows, with their reasons"
    )
    rejected_total: int = Field(description="every rejected row, listed or not")
    repeated_upload: bool = Field(description="the same file was applied before: nothing new")

    @classmethod
    def of(cls, report: Report) -> AttendanceImport:
        return cls(
            id=report.id,
            rows=report.rows,
            recorded=report.recorded,
            rejected=[RejectedRow(**rejected) for rejected in report.rejected],
            rejected_total=report.rejected_total,
            repeated_upload=report.repeated_upload,
        )


class OfficerRecord(BaseModel):
    officer: str = Field(description="the officer's Keycloak user id")
    session_id: UUID
    programme_code: str
    programme_title: str
    region_code: str
    starts_at: datetime
    session_cancelled: bool
    status: Literal["enrolled", "waiting"]
    completed_at: datetime | None
    certificate_code: str | None

    @classmethod
    def of(cls, row: dict[str, Any]) -> OfficerRecord:
        return cls.model_validate(
            row
            | {
                "officer": row["participant"].partition(":")[2],
                "session_cancelled": row["cancelled"],
            }
        )


class OfficerRecords(BaseModel):
    items: list[OfficerRecord]


class TrainingRecord(BaseModel):
    """One training a participant took: the session, their attendance, scores, certificate."""

    session_id: UUID
    programme_code: str
    programme_title: str
    starts_at: IsoTime
    days: list[IsoDay]
    session_cancelled: bool
    status: Literal["enrolled", "waiting", "cancelled"]
    days_attended: list[IsoDay]
    pre_score: int | None
    post_score: int | None
    knowledge_gain: int | None
    completed_at: IsoTime | None
    certificate_code: str | None

    @classmethod
    def of(cls, row: dict[str, Any]) -> TrainingRecord:
        return cls(
            session_id=row["session_id"],
            programme_code=row["programme_code"],
            programme_title=row["programme_title"],
            starts_at=row["starts_at"].isoformat(),
            days=row["days"],
            session_cancelled=row["cancelled"],
            status=row["status"],
            days_attended=row["attended"],
            pre_score=row["pre_score"],
            post_score=row["post_score"],
            knowledge_gain=knowledge_gain(row["pre_score"], row["post_score"]),
            completed_at=row["completed_at"].isoformat() if row["completed_at"] else None,
            certificate_code=row["certificate_code"],
        )


class TrainingRecords(BaseModel):
    items: list[TrainingRecord]


class Certificate(BaseModel):
    """What anyone may learn from a certificate's code: no name, only initials."""

    code: str
    initials: str
    programme_code: str
    programme_title: str
    completed_on: date
    valid: bool
