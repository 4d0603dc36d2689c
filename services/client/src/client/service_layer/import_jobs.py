"""Client sheets registered in the background: the upload answers at once with a job, the
client service's timers register the rows in batches and record the progress after each, and
the officer's page follows it. The same sheet again makes a job that is done at once, with the
first import's report and `repeated_upload`.

The sheet holds NIKs in clear, so it is kept encrypted (the service's key ring) and only until
its rows are registered: a finished or failed job keeps its counts, never its content.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from client.domain.imports import ImportJob, ImportReport
from client.service_layer import importing
from client.service_layer.handlers import Context
from client.service_layer.unit_of_work import UnitOfWork
from shared.auth import Principal
from shared.crypto import Keyring

log = logging.getLogger(__name__)

# Small batches: the progress moves every 100 rows, and a batch's transaction stays short.
BATCH = 100
# A sheet whose registration failed this often (its process died each time) is given up.
MAX_ATTEMPTS = 3


def _now() -> datetime:
    return datetime.now(UTC)


async def enqueue(
    uow: UnitOfWork, sheets: Keyring, actor: Principal, filename: str, content: bytes
) -> tuple[ImportJob, ImportReport | None]:
    """A job for the sheet, and its report if it has one already: the same sheet still waiting
    is that job; one already registered is a job done at once with the earlier import."""
    importing.check_sheet_name(filename)  # the rest of the sheet is read by the job
    digest = hashlib.sha256(content).hexdigest()
    scope = actor.scope.prefix or ""
    async with uow:
        waiting = await uow.import_jobs.waiting(digest, scope)
        if waiting is not None:
            return waiting, None
        earlier = await uow.imports.find(digest, scope)
        job = ImportJob(id=uuid4(), filename=filename, status="queued")
        sealed: bytes | None = None
        if earlier is None:
            sealed = sheets.encrypt(base64.b64encode(content).decode("ascii"))
        else:
            job.status, job.import_id, job.repeated_upload = "done", earlier.id, True
            job.rows_total = job.rows_done = earlier.rows
            earlier.repeated_upload = True
        await uow.import_jobs.add(
            job, scope=scope, digest=digest, content=sealed, actor=_uploader(actor)
        )
        await uow.commit()
    return job, earlier


async def find(
    uow: UnitOfWork, actor: Principal, job_id: UUID
) -> tuple[ImportJob, ImportReport | None] | None:
    """The job (of the caller's region) and, once done, its report."""
    async with uow:
        job = await uow.import_jobs.get(job_id, actor.scope)
        if job is None:
            return None
        report = None
        if job.import_id is not None:
            report = await uow.imports.get(job.import_id, actor.scope)
    if report is not None:
        report.repeated_upload = job.repeated_upload
    return job, report


async def run_waiting(sheets: Keyring, uow_factory: Callable[[], UnitOfWork], ctx: Context) -> int:
    """Register every waiting sheet, oldest first; how many were taken."""
    taken = 0
    while await run_next(sheets, uow_factory, ctx):
        taken += 1
    return taken


async def run_next(sheets: Keyring, uow_factory: Callable[[], UnitOfWork], ctx: Context) -> bool:
    """Take the oldest waiting sheet and register it, recording the progress after each batch
    in a transaction of its own; False when none waits."""
    async with uow_factory() as uow:
        claimed = await uow.import_jobs.claim(_now())
        await uow.commit()
    if claimed is None:
        return False
    job, sealed, uploader, attempts = claimed
    if sealed is None or attempts > MAX_ATTEMPTS:
        await _fail(uow_factory, job.id, "the sheet could not be registered; upload it again")
        return True
    content = base64.b64decode(sheets.decrypt(sealed))

    async def progress(rows_total: int, rows_done: int) -> None:
        async with uow_factory() as uow:
            await uow.import_jobs.progress(job.id, rows_total, rows_done, _now())
            await uow.commit()

    actor = _principal(uploader)
    try:
        report = await importing.import_sheet(
            actor, job.filename, content, uow_factory, ctx, progress=progress, batch_size=BATCH
        )
    except importing.SheetUnreadable as exc:
        await _fail(uow_factory, job.id, exc.message)
        return True
    async with uow_factory() as uow:
        # a sheet imported by two jobs at once keeps the first import (the other wrote none)
        kept = await uow.imports.find(report.file_sha256, actor.scope.prefix or "")
        await uow.import_jobs.finish(
            job.id,
            _now(),
            import_id=kept.id if kept is not None else report.id,
            repeated_upload=report.repeated_upload,
        )
        await uow.commit()
    log.info("sheet registered", extra={"job_id": str(job.id), "rows": report.rows})
    return True


async def _fail(uow_factory: Callable[[], UnitOfWork], job_id: UUID, error: str) -> None:
    async with uow_factory() as uow:
        await uow.import_jobs.fail(job_id, _now(), error)
        await uow.commit()


def _uploader(actor: Principal) -> dict[str, Any]:
    return {
        "subject": actor.subject,
        "username": actor.username,
        "roles": sorted(actor.roles),
        "region": actor.region,
    }


def _principal(uploader: dict[str, Any]) -> Principal:
    """The uploader as the import checks them: their region and roles at upload time."""
    return Principal(
        subject=uploader["subject"],
        username=uploader.get("username"),
        client_id=None,
        roles=frozenset(uploader["roles"]),
        region=uploader.get("region"),
        partner_code=None,
    )
