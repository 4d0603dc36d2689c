"""The import jobs' table: a queue the client service's timers take sheets from.

A job is claimed with `FOR UPDATE SKIP LOCKED`, so two timers never take the same one; a
running job whose heartbeat stopped (its process died) is taken again after `STALE`, and the
import it redoes is idempotent (a client already registered counts as such).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NamedTuple
from uuid import UUID

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from client.adapters import orm
from client.domain.imports import ImportJob
from shared.auth import RegionScope

STALE = timedelta(seconds=60)
_jobs = orm.import_jobs


class Claimed(NamedTuple):
    """A job taken to run: the job, its sealed sheet (None once dropped), who uploaded it (as
    `_uploader` wrote it) and how many times it has now been taken."""

    job: ImportJob
    sealed: bytes | None
    uploader: dict[str, Any]
    attempts: int


class ImportJobs:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        job: ImportJob,
        *,
        scope: str,
        digest: str,
        content: bytes | None,
        actor: dict[str, Any],
    ) -> None:
        await self._session.execute(
            insert(_jobs).values(
                id=job.id,
                scope=scope,
                filename=job.filename,
                file_sha256=digest,
                content=content,
                actor=actor,
                status=job.status,
                rows_total=job.rows_total,
                rows_done=job.rows_done,
                import_id=job.import_id,
                repeated_upload=job.repeated_upload,
                attempts=0,
                created_at=func.now(),
                updated_at=func.now(),
                finished_at=func.now() if job.finished else None,
            )
        )

    async def waiting(self, digest: str, scope: str) -> ImportJob | None:
        """The same sheet, uploaded by the same office, not yet registered."""
        row = (
            await self._session.execute(
                select(_jobs).where(
                    _jobs.c.file_sha256 == digest,
                    _jobs.c.scope == scope,
                    _jobs.c.status.in_(("queued", "running")),
                )
            )
        ).first()
        return _job(row) if row else None

    async def get(self, job_id: UUID, scope: RegionScope) -> ImportJob | None:
        row = (
            await self._session.execute(
                select(_jobs).where(_jobs.c.id == job_id, scope.filter(_jobs.c.scope))
            )
        ).first()
        return _job(row) if row else None

    async def claim(self, now: datetime) -> Claimed | None:
        """The oldest job waiting (or abandoned), marked running: with its sheet and uploader."""
        row = (
            await self._session.execute(
                select(_jobs)
                .where(
                    or_(
                        _jobs.c.status == "queued",
                        (_jobs.c.status == "running") & (_jobs.c.updated_at < now - STALE),
                    )
                )
                .order_by(_jobs.c.created_at)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
        ).first()
        if row is None:
            return None
        await self._session.execute(
            update(_jobs)
            .where(_jobs.c.id == row.id)
            .values(status="running", attempts=_jobs.c.attempts + 1, updated_at=now)
        )
        job = _job(row)
        job.status = "running"
        return Claimed(job, row.content, dict(row.actor), row.attempts + 1)

    async def progress(self, job_id: UUID, rows_total: int, rows_done: int, now: datetime) -> None:
        await self._session.execute(
            update(_jobs)
            .where(_jobs.c.id == job_id)
            .values(rows_total=rows_total, rows_done=rows_done, updated_at=now)
        )

    async def finish(
        self, job_id: UUID, now: datetime, *, import_id: UUID, repeated_upload: bool
    ) -> None:
        """Done: the sheet itself is dropped, its import stays."""
        await self._session.execute(
            update(_jobs)
            .where(_jobs.c.id == job_id)
            .values(
                status="done",
                import_id=import_id,
                repeated_upload=repeated_upload,
                content=None,
                updated_at=now,
                finished_at=now,
            )
        )

    async def fail(self, job_id: UUID, now: datetime, error: str) -> None:
        await self._session.execute(
            update(_jobs)
            .where(_jobs.c.id == job_id)
            .values(status="failed", error=error, content=None, updated_at=now, finished_at=now)
        )


def _job(row: Any) -> ImportJob:
    return ImportJob(
        id=row.id,
        filename=row.filename,
        status=row.status,
        rows_total=row.rows_total,
        rows_done=row.rows_done,
        import_id=row.import_id,
        repeated_upload=row.repeated_upload,
        error=row.error,
    )
