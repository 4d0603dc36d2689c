"""HTTP routes of training: programmes, sessions, enrolment, attendance, scores, certificates.

A route reads its input, sends one message on the bus and shapes the answer
(`entrypoints/schemas.py`). It raises nothing itself: the errors handlers raise
(`shared.errors`) are answered by the app factory.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response, UploadFile, status

from shared.auth import Admin, CaseWorker, Supervisor
from training.adapters import certificate_pdf
from training.entrypoints import schemas
from training.entrypoints.dependencies import Bus, Settings
from training.service_layer import commands
from training.service_layer.attendance_sheet import MAX_SHEET_BYTES

router = APIRouter(prefix="/api/training", tags=["training"])
Code = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
CertificateCode = Annotated[str, Path(max_length=20, pattern=r"^[A-Za-z0-9-]+$")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "not found in your region"}}
PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
    **NOT_FOUND,
}


@router.put("/programmes/{code}", response_model=schemas.ProgrammeSaved)
async def put_programme(
    code: Code, body: schemas.ProgrammeIn, user: Admin, bus: Bus
) -> schemas.ProgrammeSaved:
    """Create or change a programme and its completion rule (admin)."""
    fields = body.model_dump() | {"modules": tuple(body.modules)}
    await bus.handle(commands.PutProgramme(code=code, **fields))
    return schemas.ProgrammeSaved(code=code)


@router.get("/programmes", response_model=schemas.ProgrammeList)
async def list_programmes(user: CaseWorker, bus: Bus) -> schemas.ProgrammeList:
    """The programmes a session can be planned for, by title."""
    found = await bus.handle(commands.ListProgrammes())
    return schemas.ProgrammeList(items=[schemas.ProgrammeOut.model_validate(p) for p in found])


@router.post("/sessions", status_code=status.HTTP_201_CREATED, response_model=schemas.SessionDays)
async def schedule(body: schemas.SessionIn, user: CaseWorker, bus: Bus) -> schemas.SessionDays:
    fields = body.model_dump() | {"days": tuple(body.days)}
    scheduled = await bus.handle(commands.ScheduleSession(actor=user, **fields))
    return schemas.SessionDays.of(scheduled)


@router.get("/sessions", response_model=schemas.SessionList)
async def list_sessions(
    user: CaseWorker,
    bus: Bus,
    starting_from: Annotated[date | None, Query(alias="from")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=80)] = None,
) -> schemas.SessionList:
    """Sessions of your region from a day on (default: today), soonest first."""
    page = await bus.handle(commands.ListSessions(user, starting_from, limit, cursor))
    return schemas.SessionList(
        items=[schemas.SessionSummary.of(r) for r in page.rows], next_cursor=page.next_cursor
    )


@router.get("/sessions/{session_id}", response_model=schemas.SessionView, responses=NOT_FOUND)
async def view_session(session_id: UUID, user: CaseWorker, bus: Bus) -> schemas.SessionView:
    """The session with its participants, their attendance, scores and knowledge gain."""
    return schemas.describe(await bus.handle(commands.ViewSession(user, session_id)))


@router.patch("/sessions/{session_id}", response_model=schemas.SessionDays, responses=NOT_FOUND)
async def reschedule(
    session_id: UUID, body: schemas.RescheduleIn, user: CaseWorker, bus: Bus
) -> schemas.SessionDays:
    """Move a session; everyone enrolled or waiting is told (`session_changed`)."""
    command = commands.RescheduleSession(
        user, session_id, tuple(body.days), body.starts_at, body.venue, body.online_link
    )
    return schemas.SessionDays.of(await bus.handle(command))


@router.post(
    "/sessions/{session_id}/cancel",
    response_model=schemas.SessionCancelledOut,
    responses=NOT_FOUND,
)
async def cancel_session(
    session_id: UUID, user: CaseWorker, bus: Bus
) -> schemas.SessionCancelledOut:
    """Cancel a session; everyone enrolled or waiting is told (`session_cancelled`)."""
    cancelled = await bus.handle(commands.CancelSession(user, session_id))
    return schemas.SessionCancelledOut(id=cancelled.id, cancelled=True)


@router.post(
    "/sessions/{session_id}/enrolments",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.EnrolmentOut,
    responses=NOT_FOUND,
)
async def enrol(
    session_id: UUID, body: schemas.EnrolmentIn, user: CaseWorker, bus: Bus
) -> schemas.EnrolmentOut:
    """Enrol a client of your region (or yourself); a full session puts them on the waiting list."""
    place = await bus.handle(commands.Enrol(user, session_id, body.participant))
    participant = body.participant if body.participant != "me" else f"officer:{user.subject}"
    return schemas.EnrolmentOut(participant=participant, status=place)


@router.delete(
    "/sessions/{session_id}/enrolments/{participant}",
    response_model=schemas.EnrolmentCancelled,
    responses=NOT_FOUND,
)
async def cancel_enrolment(
    session_id: UUID, participant: str, user: CaseWorker, bus: Bus
) -> schemas.EnrolmentCancelled:
    """Cancel a place; the first on the waiting list moves up and is told (an event)."""
    command = commands.CancelEnrolment(user, session_id, participant)
    who, promoted = await bus.handle(command)
    return schemas.EnrolmentCancelled(cancelled=who, promoted=promoted)


@router.post(
    "/sessions/{session_id}/attendance",
    response_model=schemas.ParticipantRecord,
    responses=NOT_FOUND,
)
async def attendance(
    session_id: UUID, body: schemas.AttendanceIn, user: CaseWorker, bus: Bus
) -> schemas.ParticipantRecord:
    """Mark one participant present (or absent) on one day of the session."""
    command = commands.RecordAttendance(user, session_id, body.participant, body.day, body.present)
    return schemas.ParticipantRecord.of(await bus.handle(command))


@router.post(
    "/sessions/{session_id}/attendance/imports",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.AttendanceImport,
    responses=NOT_FOUND,
)
async def import_attendance(
    session_id: UUID, file: UploadFile, user: CaseWorker, bus: Bus
) -> schemas.AttendanceImport:
    """Attendance from a CSV or XLSX sheet (columns: participant, day, present, and optionally
    pre_score and post_score; Indonesian headers such as peserta, tanggal, hadir work too; up
    to 20,000 rows). Good rows are applied, bad rows reported; the same file again applies
    nothing. A file that unpacks to more than a sheet holds is refused with 422 naming `file`."""
    content = await file.read(MAX_SHEET_BYTES + 1)
    command = commands.ImportAttendance(user, session_id, file.filename or "sheet.csv", content)
    return schemas.AttendanceImport.of(await bus.handle(command))


@router.post(
    "/sessions/{session_id}/scores",
    response_model=schemas.ParticipantRecord,
    responses=NOT_FOUND,
)
async def scores(
    session_id: UUID, body: schemas.ScoresIn, user: CaseWorker, bus: Bus
) -> schemas.ParticipantRecord:
    """Pre- and post-test scores (0 to 100); the post-test may complete the programme."""
    command = commands.RecordScores(
        user, session_id, body.participant, body.pre_score, body.post_score
    )
    return schemas.ParticipantRecord.of(await bus.handle(command))


@router.put(
    "/sessions/{session_id}/scores", response_model=schemas.SessionView, responses=NOT_FOUND
)
async def session_scores(
    session_id: UUID, body: schemas.SessionScoresIn, user: CaseWorker, bus: Bus
) -> schemas.SessionView:
    """The pre- and post-test scores of many participants at once (the whole session's sheet):
    all are recorded or, when one line is wrong (422 naming `scores.N.<field>`), none. Each
    post-test may complete the programme. Answers the session as `GET` does."""
    lines = tuple(commands.ScoreLine(s.participant, s.pre_score, s.post_score) for s in body.scores)
    command = commands.RecordSessionScores(user, session_id, lines)
    return schemas.describe(await bus.handle(command))


@router.get("/sessions/{session_id}/certificates/pdf", response_class=Response, responses=PDF)
async def session_certificates(
    session_id: UUID, user: CaseWorker, bus: Bus, settings: Settings
) -> Response:
    """Every certificate the session gave, one page each, to print at the end of the workshop
    (404 until somebody has completed)."""
    found = await bus.handle(commands.SessionCertificates(user, session_id))
    base = settings.public_base_url.rstrip("/")
    document = certificate_pdf.render_many(
        found, lambda code: f"{base}/api/training/certificates/{code}"
    )
    return Response(
        document,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="sertifikat-{session_id}.pdf"'},
    )


@router.get("/officers/trainings", response_model=schemas.OfficerRecords)
async def officers_trainings(user: Supervisor, bus: Bus) -> schemas.OfficerRecords:
    """Supervisors: the trainings officers took in sessions of your province, newest first."""
    found = await bus.handle(commands.OfficersRecords(user))
    return schemas.OfficerRecords(items=[schemas.OfficerRecord.of(r) for r in found])


@router.get(
    "/clients/{client_id}/trainings",
    response_model=schemas.TrainingRecords,
    responses=NOT_FOUND,
)
async def client_trainings(client_id: UUID, user: CaseWorker, bus: Bus) -> schemas.TrainingRecords:
    """A client's trainings (your region only): sessions, attendance, scores, certificates."""
    found = await bus.handle(commands.TrainingRecords(user, f"client:{client_id}"))
    return schemas.TrainingRecords(items=[schemas.TrainingRecord.of(r) for r in found])


@router.get("/me/trainings", response_model=schemas.TrainingRecords)
async def my_trainings(user: CaseWorker, bus: Bus) -> schemas.TrainingRecords:
    """Your own capacity-building record as an officer."""
    found = await bus.handle(commands.TrainingRecords(user, "me"))
    return schemas.TrainingRecords(items=[schemas.TrainingRecord.of(r) for r in found])


@router.get("/certificates/{code}", response_model=schemas.Certificate, responses=NOT_FOUND)
async def verify(code: CertificateCode, bus: Bus) -> schemas.Certificate:
    """Public (no token): is this certificate real? Initials, programme, date, validity only."""
    found = await bus.handle(commands.VerifyCertificate(code))
    return schemas.Certificate.model_validate(found)


@router.get("/certificates/{code}/pdf", response_class=Response, responses=PDF)
async def certificate_document(code: CertificateCode, bus: Bus, settings: Settings) -> Response:
    """Public (no token): the certificate as a PDF, showing what the verification shows."""
    found = await bus.handle(commands.VerifyCertificate(code))
    base = settings.public_base_url.rstrip("/")
    document = certificate_pdf.render(found, f"{base}/api/training/certificates/{found['code']}")
    return Response(
        document,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="sertifikat-{found["code"]}.pdf"'},
    )
