"""HTTP routes of training: programmes, sessions, enrolment, attendance, scores, certificates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from fractions import Fraction
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request, Response, UploadFile, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.auth import Principal, require_roles
from shared.problems import Conflict, FieldError, Invalid, NotFound
from shared.sheets import MAX_REPORTED_REJECTIONS, UnreadableSheet
from training.adapters import certificate_pdf
from training.domain.programme import CompletionRule, Programme
from training.service_layer import attendance_sheet, handlers

router = APIRouter(prefix="/api/training", tags=["training"])
CaseWorker = Annotated[Principal, Depends(require_roles("officer", "supervisor"))]
Admin = Annotated[Principal, Depends(require_roles("admin"))]
Supervisor = Annotated[Principal, Depends(require_roles("supervisor"))]
Code = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
CertificateCode = Annotated[str, Path(max_length=20, pattern=r"^[A-Za-z0-9-]+$")]
MAX_SHEET_BYTES = 2 * 1024 * 1024
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "not found in your region"}}


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


class ProgrammeOut(BaseModel):
    code: str
    title: str
    audience: Literal["clients", "officers", "both"]
    duration_hours: int


class ProgrammeList(BaseModel):
    items: list[ProgrammeOut]


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


class OfficerRecords(BaseModel):
    items: list[OfficerRecord]


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


class Certificate(BaseModel):
    """What anyone may learn from a certificate's code: no name, only initials."""

    code: str
    initials: str
    programme_code: str
    programme_title: str
    completed_on: date
    valid: bool


def _sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    maker: async_sessionmaker[AsyncSession] = request.app.state.container.sessions
    return maker


def _problem(exc: Exception, what: str = "session") -> Exception:
    if isinstance(exc, handlers.BadInput):
        return Invalid([FieldError(exc.field, exc.message)])
    if isinstance(exc, handlers.Conflict):
        return Conflict(str(exc), "session-cancelled")
    return NotFound(what)


Failures = (handlers.BadInput, handlers.Conflict, handlers.NotFound)


@router.put("/programmes/{code}")
async def put_programme(
    code: Code, body: ProgrammeIn, user: Admin, request: Request
) -> dict[str, str]:
    """Create or change a programme and its completion rule (admin)."""
    await handlers.put_programme(
        _sessions(request),
        Programme(
            code=code,
            title=body.title,
            modules=tuple(body.modules),
            duration_hours=body.duration_hours,
            audience=body.audience,
            language=body.language,
            rule=CompletionRule(Fraction(body.min_attendance_percent, 100), body.min_post_score),
        ),
    )
    return {"code": code}


@router.get("/programmes", response_model=ProgrammeList)
async def list_programmes(user: CaseWorker, request: Request) -> ProgrammeList:
    """The programmes a session can be planned for, by title."""
    found = await handlers.programmes(_sessions(request))
    return ProgrammeList(items=[ProgrammeOut.model_validate(p) for p in found])


@router.post("/sessions", status_code=status.HTTP_201_CREATED)
async def schedule(body: SessionIn, user: CaseWorker, request: Request) -> dict[str, Any]:
    new = handlers.NewSession(**body.model_dump() | {"days": tuple(body.days)})
    try:
        scheduled = await handlers.schedule(_sessions(request), user, new)
    except Failures as exc:
        raise _problem(exc) from None
    return {"id": str(scheduled.id), "days": [d.isoformat() for d in scheduled.days]}


@router.get("/sessions")
async def list_sessions(
    user: CaseWorker,
    request: Request,
    starting_from: Annotated[date | None, Query(alias="from")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=80)] = None,
) -> dict[str, Any]:
    """Sessions of your region from a day on (default: today), soonest first."""
    after = None
    if cursor:
        try:
            at, _, ident = cursor.partition("_")
            after = (datetime.fromisoformat(at), UUID(ident))
        except ValueError:
            raise Invalid([FieldError("cursor", "is not a cursor this API gave")]) from None
    rows = await handlers.list_sessions(
        _sessions(request), user, starting_from or datetime.now(UTC).date(), limit, after
    )
    items = [
        {
            "id": str(r["id"]),
            "programme_code": r["programme_code"],
            "programme_title": r["programme_title"],
            "region_code": r["region_code"],
            "days": r["days"],
            "starts_at": r["starts_at"].isoformat(),
            **handlers.local_time(r["region_code"], r["starts_at"]),
            "venue": r["venue"],
            "online_link": r["online_link"],
            "capacity": r["capacity"],
            "cancelled": r["cancelled"],
        }
        for r in rows
    ]
    last = rows[-1] if len(rows) == limit else None
    return {
        "items": items,
        "next_cursor": f"{last['starts_at'].isoformat()}_{last['id']}" if last else None,
    }


@router.get("/sessions/{session_id}", responses=NOT_FOUND)
async def view_session(session_id: UUID, user: CaseWorker, request: Request) -> dict[str, Any]:
    """The session with its participants, their attendance, scores and knowledge gain."""
    try:
        return await handlers.view(_sessions(request), user, session_id)
    except Failures as exc:
        raise _problem(exc) from None


@router.patch("/sessions/{session_id}", responses=NOT_FOUND)
async def reschedule(
    session_id: UUID, body: RescheduleIn, user: CaseWorker, request: Request
) -> dict[str, Any]:
    """Move a session; everyone enrolled or waiting is told (`session_changed`)."""
    try:
        changed = await handlers.reschedule(
            _sessions(request),
            user,
            session_id,
            tuple(body.days),
            body.starts_at,
            body.venue,
            body.online_link,
        )
    except Failures as exc:
        raise _problem(exc) from None
    return {"id": str(changed.id), "days": [d.isoformat() for d in changed.days]}


@router.post("/sessions/{session_id}/cancel", responses=NOT_FOUND)
async def cancel_session(session_id: UUID, user: CaseWorker, request: Request) -> dict[str, Any]:
    """Cancel a session; everyone enrolled or waiting is told (`session_cancelled`)."""
    try:
        cancelled = await handlers.cancel(_sessions(request), user, session_id)
    except Failures as exc:
        raise _problem(exc) from None
    return {"id": str(cancelled.id), "cancelled": True}


@router.post(
    "/sessions/{session_id}/enrolments", status_code=status.HTTP_201_CREATED, responses=NOT_FOUND
)
async def enrol(
    session_id: UUID, body: EnrolmentIn, user: CaseWorker, request: Request
) -> dict[str, str]:
    """Enrol a client of your region (or yourself); a full session puts them on the waiting list."""
    try:
        result = await handlers.enrol(_sessions(request), user, session_id, body.participant)
    except Failures as exc:
        raise _problem(exc, "session or client") from None
    participant = body.participant if body.participant != "me" else f"officer:{user.subject}"
    return {"participant": participant, "status": result}


@router.delete("/sessions/{session_id}/enrolments/{participant}", responses=NOT_FOUND)
async def cancel_enrolment(
    session_id: UUID, participant: str, user: CaseWorker, request: Request
) -> dict[str, Any]:
    """Cancel a place; the first on the waiting list moves up and is told (an event)."""
    try:
        who, promoted = await handlers.cancel_enrolment(
            _sessions(request), user, session_id, participant
        )
    except Failures as exc:
        raise _problem(exc, "enrolment") from None
    return {"cancelled": who, "promoted": promoted}


@router.post("/sessions/{session_id}/attendance", responses=NOT_FOUND)
async def attendance(
    session_id: UUID, body: AttendanceIn, user: CaseWorker, request: Request
) -> dict[str, Any]:
    """Mark one participant present (or absent) on one day of the session."""
    try:
        return await handlers.record(
            _sessions(request),
            user,
            session_id,
            body.participant,
            day=body.day,
            present=body.present,
        )
    except Failures as exc:
        raise _problem(exc, "enrolment") from None


@router.post(
    "/sessions/{session_id}/attendance/imports",
    status_code=status.HTTP_201_CREATED,
    responses=NOT_FOUND,
)
async def import_attendance(
    session_id: UUID, file: UploadFile, user: CaseWorker, request: Request
) -> AttendanceImport:
    """Attendance from a CSV or XLSX sheet (columns: participant, day, present, and optionally
    pre_score and post_score; Indonesian headers such as peserta, tanggal, hadir work too; up
    to 20,000 rows). Good rows are applied, bad rows reported; the same file again applies
    nothing. A file that unpacks to more than a sheet holds is refused with 422 naming `file`."""
    content = await file.read(MAX_SHEET_BYTES + 1)
    if len(content) > MAX_SHEET_BYTES:
        raise Invalid([FieldError("file", "is larger than 2 MB")])
    try:
        report = await attendance_sheet.import_attendance(
            _sessions(request), user, session_id, file.filename or "sheet.csv", content
        )
    except UnreadableSheet as exc:
        raise Invalid([FieldError("file", str(exc))]) from None
    except Failures as exc:
        raise _problem(exc) from None
    return AttendanceImport(
        id=report.id,
        rows=report.rows,
        recorded=report.recorded,
        rejected=[RejectedRow(**rejected) for rejected in report.rejected],
        rejected_total=report.rejected_total,
        repeated_upload=report.repeated_upload,
    )


@router.post("/sessions/{session_id}/scores", responses=NOT_FOUND)
async def scores(
    session_id: UUID, body: ScoresIn, user: CaseWorker, request: Request
) -> dict[str, Any]:
    """Pre- and post-test scores (0 to 100); the post-test may complete the programme."""
    try:
        return await handlers.record(
            _sessions(request),
            user,
            session_id,
            body.participant,
            scores=handlers.Scores(body.pre_score, body.post_score),
        )
    except Failures as exc:
        raise _problem(exc, "enrolment") from None


@router.put("/sessions/{session_id}/scores", responses=NOT_FOUND)
async def session_scores(
    session_id: UUID, body: SessionScoresIn, user: CaseWorker, request: Request
) -> dict[str, Any]:
    """The pre- and post-test scores of many participants at once (the whole session's sheet):
    all are recorded or, when one line is wrong (422 naming `scores.N.<field>`), none. Each
    post-test may complete the programme. Answers the session as `GET` does."""
    lines = [(s.participant, handlers.Scores(s.pre_score, s.post_score)) for s in body.scores]
    try:
        return await handlers.record_session_scores(_sessions(request), user, session_id, lines)
    except Failures as exc:
        raise _problem(exc) from None


@router.get(
    "/sessions/{session_id}/certificates/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **NOT_FOUND},
)
async def session_certificates(session_id: UUID, user: CaseWorker, request: Request) -> Response:
    """Every certificate the session gave, one page each, to print at the end of the workshop
    (404 until somebody has completed)."""
    try:
        found = await handlers.session_certificates(_sessions(request), user, session_id)
    except Failures as exc:
        raise _problem(exc, "certificate") from None
    base = request.app.state.container.settings.public_base_url.rstrip("/")
    document = certificate_pdf.render_many(
        found, lambda code: f"{base}/api/training/certificates/{code}"
    )
    return Response(
        document,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="sertifikat-{session_id}.pdf"'},
    )


@router.get("/officers/trainings", response_model=OfficerRecords)
async def officers_trainings(user: Supervisor, request: Request) -> OfficerRecords:
    """Supervisors: the trainings officers took in sessions of your province, newest first."""
    found = await handlers.officers_records(_sessions(request), user)
    return OfficerRecords(items=[OfficerRecord.model_validate(r) for r in found])


@router.get("/clients/{client_id}/trainings", responses=NOT_FOUND)
async def client_trainings(client_id: UUID, user: CaseWorker, request: Request) -> dict[str, Any]:
    """A client's trainings (your region only): sessions, attendance, scores, certificates."""
    try:
        items = await handlers.records_of(_sessions(request), user, f"client:{client_id}")
    except Failures as exc:
        raise _problem(exc, "client") from None
    return {"items": items}


@router.get("/me/trainings")
async def my_trainings(user: CaseWorker, request: Request) -> dict[str, Any]:
    """Your own capacity-building record as an officer."""
    return {"items": await handlers.records_of(_sessions(request), user, "me")}


@router.get("/certificates/{code}", response_model=Certificate, responses=NOT_FOUND)
async def verify(code: CertificateCode, request: Request) -> Certificate:
    """Public (no token): is this certificate real? Initials, programme, date, validity only."""
    try:
        return Certificate.model_validate(await handlers.certificate(_sessions(request), code))
    except handlers.NotFound:
        raise NotFound("certificate") from None


@router.get(
    "/certificates/{code}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **NOT_FOUND},
)
async def certificate_document(code: CertificateCode, request: Request) -> Response:
    """Public (no token): the certificate as a PDF, showing what the verification shows."""
    try:
        found = await handlers.certificate(_sessions(request), code)
    except handlers.NotFound:
        raise NotFound("certificate") from None
    base = request.app.state.container.settings.public_base_url.rstrip("/")
    document = certificate_pdf.render(found, f"{base}/api/training/certificates/{found['code']}")
    return Response(
        document,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="sertifikat-{found["code"]}.pdf"'},
    )
