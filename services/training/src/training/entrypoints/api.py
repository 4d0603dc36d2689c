"""HTTP routes of training: programmes, sessions, enrolment, attendance, scores, certificates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Request, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Principal, require_roles
from shared.problems import FieldError, Invalid, NotFound
from training.adapters import orm
from training.domain.session import NotEnrolled, SessionCancelled
from training.service_layer import handlers

router = APIRouter(prefix="/api/training", tags=["training"])
CaseWorker = Annotated[Principal, Depends(require_roles("officer", "supervisor"))]
Admin = Annotated[Principal, Depends(require_roles("admin"))]
Code = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]


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


class EnrolmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    participant: str = Field(description="client:<client id>, or me for your own training")


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


class Certificate(BaseModel):
    """What anyone may learn from a certificate's code: no name, only initials."""

    code: str
    initials: str
    programme_code: str
    programme_title: str
    completed_on: date
    valid: bool


def _sessions(request: Request) -> AsyncSession:
    maker = request.app.state.container.sessions
    session: AsyncSession = maker()
    return session


def _bad(exc: handlers.BadInput) -> Exception:
    return Invalid([FieldError(exc.field, exc.message)])


@router.put("/programmes/{code}", status_code=status.HTTP_200_OK)
async def put_programme(
    code: Code, body: ProgrammeIn, user: Admin, request: Request
) -> dict[str, str]:
    values = {
        "code": code,
        "title": body.title,
        "modules": body.modules,
        "duration_hours": body.duration_hours,
        "audience": body.audience,
        "language": body.language,
        "min_attendance": Decimal(body.min_attendance_percent) / 100,
        "min_post_score": body.min_post_score,
    }
    async with _sessions(request) as session, session.begin():
        await session.execute(
            pg_insert(orm.programmes)
            .values(values)
            .on_conflict_do_update(index_elements=["code"], set_=values)
        )
    return {"code": code}


@router.post("/sessions", status_code=status.HTTP_201_CREATED)
async def schedule(body: SessionIn, user: CaseWorker, request: Request) -> dict[str, Any]:
    new = handlers.NewSession(**body.model_dump() | {"days": tuple(body.days)})
    try:
        async with _sessions(request) as session, session.begin():
            scheduled = await handlers.schedule(session, user, new)
    except handlers.BadInput as exc:
        raise _bad(exc) from None
    return {"id": str(scheduled.id), "days": [d.isoformat() for d in scheduled.days]}


@router.get("/sessions/{session_id}")
async def participants(session_id: UUID, user: CaseWorker, request: Request) -> dict[str, Any]:
    """The session with its participants; 404 outside your region."""
    try:
        async with _sessions(request) as session, session.begin():
            training = await handlers.load(session, session_id, user)
    except handlers.NotFound:
        raise NotFound("session") from None
    return {
        "id": str(training.id),
        "programme_code": training.programme_code,
        "region_code": training.region_code,
        "capacity": training.capacity,
        "enrolled": training.enrolled,
        "waiting": training.waiting,
    }


@router.post("/sessions/{session_id}/enrolments", status_code=status.HTTP_201_CREATED)
async def enrol(
    session_id: UUID, body: EnrolmentIn, user: CaseWorker, request: Request
) -> dict[str, str]:
    try:
        async with _sessions(request) as session, session.begin():
            training = await handlers.load(session, session_id, user)
            participant = await handlers.participant_of(session, user, body.participant)
            now = datetime.now(UTC)
            result = training.enrol(participant, now)
            await handlers.save_enrolments(session, training)
            await handlers.publish_enrolment_changes(session, training, now)
    except handlers.NotFound:
        raise NotFound("session or client") from None
    except handlers.BadInput as exc:
        raise _bad(exc) from None
    except SessionCancelled:
        raise Invalid([FieldError("session_id", "the session was cancelled")]) from None
    return {"participant": participant, "status": result}


@router.delete("/sessions/{session_id}/enrolments/{participant}")
async def cancel_enrolment(
    session_id: UUID, participant: str, user: CaseWorker, request: Request
) -> dict[str, Any]:
    """Cancel a place; the first on the waiting list moves up and is told (an event)."""
    try:
        async with _sessions(request) as session, session.begin():
            training = await handlers.load(session, session_id, user)
            who = await handlers.participant_of(session, user, participant)
            now = datetime.now(UTC)
            promoted = training.cancel_enrolment(who, now)
            await handlers.save_enrolments(session, training)
            await handlers.publish_enrolment_changes(session, training, now)
    except (handlers.NotFound, NotEnrolled):
        raise NotFound("enrolment") from None
    except handlers.BadInput as exc:
        raise _bad(exc) from None
    return {"cancelled": who, "promoted": promoted}


async def _record(
    session_id: UUID, who: str, user: Principal, request: Request, **kwargs: Any
) -> dict[str, Any]:
    try:
        async with _sessions(request) as session, session.begin():
            training = await handlers.load(session, session_id, user)
            participant = await handlers.participant_of(session, user, who)
            values = await handlers.record(
                session, training, participant, datetime.now(training.starts_at.tzinfo), **kwargs
            )
    except handlers.NotFound:
        raise NotFound("enrolment") from None
    except handlers.BadInput as exc:
        raise _bad(exc) from None
    return {
        "participant": participant,
        "attended": values["attended"],
        "completed": "completed_at" in values,
        "certificate_code": values.get("certificate_code"),
    }


@router.post("/sessions/{session_id}/attendance")
async def attendance(
    session_id: UUID, body: AttendanceIn, user: CaseWorker, request: Request
) -> dict[str, Any]:
    return await _record(
        session_id, body.participant, user, request, attended_day=body.day, present=body.present
    )


@router.post("/sessions/{session_id}/scores")
async def scores(
    session_id: UUID, body: ScoresIn, user: CaseWorker, request: Request
) -> dict[str, Any]:
    return await _record(
        session_id,
        body.participant,
        user,
        request,
        pre_score=body.pre_score,
        post_score=body.post_score,
    )


@router.get("/certificates/{code}", response_model=Certificate)
async def verify(code: Annotated[str, Path(max_length=20)], request: Request) -> Certificate:
    """Public (no token): is this certificate real? Initials, programme, date, validity only."""
    try:
        async with _sessions(request) as session:
            return Certificate.model_validate(await handlers.verify(session, code))
    except handlers.NotFound:
        raise NotFound("certificate") from None
