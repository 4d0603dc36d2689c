"""HTTP routes of client intake: parse, call a handler, shape the response."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response, UploadFile, status
from fastapi.responses import PlainTextResponse

from client.domain import consent_scope
from client.domain.imports import ImportJob, ImportReport
from client.entrypoints.dependencies import (
    CaseWorker,
    ContainerDep,
    ContextDep,
    ReferralService,
    Supervisor,
    UowDep,
)
from client.entrypoints.schemas.clients import (
    ClientChanges,
    ClientOut,
    ClientPage,
    NewClient,
    ReferralProfile,
    RevealedNik,
)
from client.entrypoints.schemas.consents import ConsentList, ConsentOut, NewConsent
from client.entrypoints.schemas.history import AuditEntry, AuditPage, TimelineEntry, TimelinePage
from client.entrypoints.schemas.imports import ImportJobOut, ImportOut, ImportRejection
from client.service_layer import commands, handlers, import_jobs, importing, referral_reads
from shared import db
from shared.problems import FieldError, Invalid, NotFound

router = APIRouter(prefix="/api/clients", tags=["clients"])
audit_router = APIRouter(prefix="/api/client/audit", tags=["audit"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no such client in your region"}}
Limit = Annotated[int, Query(ge=1, le=200)]
MAX_SHEET_BYTES = 5 * 1024 * 1024


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ClientOut)
async def register_client(
    body: NewClient, user: CaseWorker, uow: UowDep, ctx: ContextDep
) -> ClientOut:
    fields = body.model_dump()
    command = commands.RegisterClient(actor=user, **fields)
    client = await handlers.register_client(command, uow, ctx)
    return ClientOut.of(client)


@router.get("", response_model=ClientPage)
async def search_clients(
    user: CaseWorker,
    uow: UowDep,
    q: Annotated[str | None, Query(min_length=2, max_length=100, description="name")] = None,
    nik: Annotated[str | None, Query(pattern=r"^\d{16}$", description="exact NIK")] = None,
    phone: Annotated[str | None, Query(max_length=32)] = None,
    limit: Limit = 50,
    cursor: UUID | None = None,
) -> ClientPage:
    found = await handlers.search_clients(
        user, uow, limit=limit, after=cursor, q=q, nik=nik, phone=phone
    )
    next_cursor = str(found[-1].id) if len(found) == limit else None
    return ClientPage(items=[ClientOut.of(c) for c in found], next_cursor=next_cursor)


@router.post("/imports", status_code=status.HTTP_201_CREATED, response_model=ImportOut)
async def import_sheet(
    file: UploadFile, user: CaseWorker, container: ContainerDep, ctx: ContextDep
) -> ImportOut:
    """Register the workers of a CSV or XLSX sheet (up to 20,000 rows); a second upload
    registers nothing new. A file no spreadsheet would write, or one that unpacks to more than a
    sheet holds, is refused with 422 naming `file`."""
    content = await _sheet(file)
    report = await importing.import_sheet(
        user, file.filename or "sheet", content, container.uow, ctx
    )
    return _import_out(report)


@router.post("/import-jobs", status_code=status.HTTP_202_ACCEPTED, response_model=ImportJobOut)
async def queue_sheet(
    file: UploadFile, user: CaseWorker, uow: UowDep, container: ContainerDep, response: Response
) -> ImportJobOut:
    """Register the workers of a CSV or XLSX sheet in the background: the answer comes at once,
    with a job to follow (`Location`) until it is done, with the same report as
    `POST /imports`. The same sheet again makes a job done at once that registers nothing
    (`repeated_upload`); while it still waits, the same job is answered."""
    content = await _sheet(file)
    job, report = await import_jobs.enqueue(
        uow, container.sheets, user, file.filename or "sheet", content
    )
    response.headers["Location"] = f"/api/clients/import-jobs/{job.id}"
    return _job_out(job, report)


async def _sheet(file: UploadFile) -> bytes:
    """The uploaded sheet, refused (422 naming `file`) past the size a sheet may have."""
    content = await file.read(MAX_SHEET_BYTES + 1)
    if len(content) > MAX_SHEET_BYTES:
        raise Invalid([FieldError("file", "is larger than 5 MB")])
    return content


@router.get("/import-jobs/{job_id}", response_model=ImportJobOut, responses=NOT_FOUND)
async def sheet_progress(job_id: UUID, user: CaseWorker, uow: UowDep) -> ImportJobOut:
    """How far the registration of an uploaded sheet has come; its report once done."""
    found = await import_jobs.find(uow, user, job_id)
    if found is None:
        raise NotFound("import job")
    return _job_out(*found)


def _job_out(job: ImportJob, report: ImportReport | None) -> ImportJobOut:
    return ImportJobOut(
        id=job.id,
        filename=job.filename,
        status=job.status,
        rows_total=job.rows_total,
        rows_done=job.rows_done,
        percent=job.percent,
        error=job.error,
        report=_import_out(report) if report is not None else None,
    )


@router.get("/imports/{import_id}/rejects.csv", response_class=PlainTextResponse)
async def import_rejects(import_id: UUID, user: CaseWorker, uow: UowDep) -> PlainTextResponse:
    """The rejected rows of an import, with their reasons, for fixing in the sheet."""
    async with uow:
        report = await uow.imports.get(import_id, user.scope)
    if report is None:
        raise NotFound("import")
    return PlainTextResponse(
        importing.rejects_csv(report),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="rejects-{import_id}.csv"'},
    )


def _import_out(report: ImportReport) -> ImportOut:
    return ImportOut(
        id=report.id,
        filename=report.filename,
        rows=report.rows,
        registered=report.registered,
        already_registered=report.already_registered,
        rejected=[
            ImportRejection(row=r.row, field=r.field, message=r.message) for r in report.rejected
        ],
        rejected_total=report.rejected_total,
        repeated_upload=report.repeated_upload,
        rejects_url=f"/api/clients/imports/{report.id}/rejects.csv",
    )


@router.get("/{client_id}", response_model=ClientOut, responses=NOT_FOUND)
async def get_client(client_id: UUID, user: CaseWorker, uow: UowDep) -> ClientOut:
    return ClientOut.of(await handlers.read_client(client_id, user, uow))


@router.patch("/{client_id}", response_model=ClientOut, responses=NOT_FOUND)
async def update_client(
    client_id: UUID, body: ClientChanges, user: CaseWorker, uow: UowDep, ctx: ContextDep
) -> ClientOut:
    command = commands.UpdateClient(actor=user, client_id=client_id, changes=body.changes())
    return ClientOut.of(await handlers.update_client(command, uow, ctx))


@router.get(
    "/{client_id}/referral-profile",
    response_model=ReferralProfile,
    responses={**NOT_FOUND, 409: {"description": "No live referral consent for the partner."}},
)
async def referral_profile(
    client_id: UUID,
    caller: ReferralService,
    uow: UowDep,
    response: Response,
    partner_code: Annotated[str, Query(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")],
    referral_id: Annotated[UUID, Query(description="The referral the partner reads.")],
) -> ReferralProfile:
    """Exactly the fields the live referral consent for `partner_code` allows, for the
    referral service's own account only (a partner reading its referral); audited as a
    reveal to that partner. People reveal a NIK through `POST .../nik/reveal`."""
    response.headers["Cache-Control"] = "no-store"  # it may carry a NIK, like a reveal
    with db.all_regions():  # a service, not a person: RegionScope("") in the handler
        client, consent, nik = await referral_reads.referral_profile(
            client_id, partner_code, referral_id, caller, uow
        )
    return ReferralProfile(
        client_id=client.id,
        kind=client.kind,
        region_code=client.region_code,
        consent_id=consent.id,
        consent_granted_at=consent.granted_at,
        scope=list(consent.scope),
        **consent_scope.visible_fields(client, nik, consent.scope),
    )


@router.post("/{client_id}/nik/reveal", response_model=RevealedNik, responses=NOT_FOUND)
async def reveal_nik(
    client_id: UUID, user: CaseWorker, uow: UowDep, response: Response
) -> RevealedNik:
    """The full NIK, for the owning region; the read is audited with purpose `reveal_nik`."""
    nik = await handlers.reveal_nik(client_id, user, uow)
    # The full NIK is stored nowhere in clear: not by a cache, not as an idempotent replay.
    response.headers["Cache-Control"] = "no-store"
    return RevealedNik(nik=nik)


@router.post(
    "/{client_id}/consents",
    status_code=status.HTTP_201_CREATED,
    response_model=ConsentOut,
    responses=NOT_FOUND,
)
async def grant_consent(
    client_id: UUID, body: NewConsent, user: CaseWorker, uow: UowDep, ctx: ContextDep
) -> ConsentOut:
    command = commands.GrantConsent(
        actor=user,
        client_id=client_id,
        purpose=body.purpose,
        text_version=body.text_version,
        partner_code=body.partner_code,
        scope=tuple(body.scope),
        channels=tuple(body.channels),
    )
    return ConsentOut.of(await handlers.grant_consent(command, uow, ctx))


@router.get("/{client_id}/consents", response_model=ConsentList, responses=NOT_FOUND)
async def list_consents(client_id: UUID, user: CaseWorker, uow: UowDep) -> ConsentList:
    consents = await handlers.list_consents(client_id, user, uow)
    return ConsentList(items=[ConsentOut.of(c) for c in consents])


@router.delete("/{client_id}/consents/{consent_id}", response_model=ConsentOut, responses=NOT_FOUND)
async def withdraw_consent(
    client_id: UUID, consent_id: UUID, user: CaseWorker, uow: UowDep, ctx: ContextDep
) -> ConsentOut:
    """Withdraws the consent; the history keeps it, marked withdrawn."""
    command = commands.WithdrawConsent(actor=user, client_id=client_id, consent_id=consent_id)
    return ConsentOut.of(await handlers.withdraw_consent(command, uow, ctx))


@router.get("/{client_id}/timeline", response_model=TimelinePage, responses=NOT_FOUND)
async def timeline(
    client_id: UUID,
    user: CaseWorker,
    uow: UowDep,
    limit: Limit = 50,
    before: datetime | None = None,
) -> TimelinePage:
    """Everything that happened to this client across all services, newest first."""
    entries = await handlers.timeline(client_id, user, uow, limit, before)
    items = [TimelineEntry.model_validate(e) for e in entries]
    cursor = items[-1].occurred_at.isoformat() if len(items) == limit else None
    return TimelinePage(items=items, next_cursor=cursor)


@audit_router.get("", response_model=AuditPage)
async def read_audit(
    user: Supervisor, uow: UowDep, client_id: UUID | None = None, limit: Limit = 100
) -> AuditPage:
    """Who read which record of the supervisor's province, and why."""
    rows = await handlers.read_audit(user, uow, client_id, limit)
    return AuditPage(items=[AuditEntry.model_validate(r) for r in rows])
