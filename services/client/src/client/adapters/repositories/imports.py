"""Sheet imports: their reports, found again by the file's digest (one import per file)."""

from __future__ import annotations

import dataclasses
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from client.adapters import orm
from client.domain.imports import ImportReport, Rejection
from shared.auth import RegionScope


class ImportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find(self, digest: str, scope: str) -> ImportReport | None:
        return await self._one(
            orm.client_imports.c.file_sha256 == digest, orm.client_imports.c.scope == scope
        )

    async def get(self, import_id: UUID, scope: RegionScope) -> ImportReport | None:
        """An import of the caller's region: a supervisor sees the imports of every office."""
        return await self._one(
            orm.client_imports.c.id == import_id, scope.filter(orm.client_imports.c.scope)
        )

    async def _one(self, *criteria: ColumnElement[bool]) -> ImportReport | None:
        row = (await self._session.execute(select(orm.client_imports).where(*criteria))).first()
        return _to_report(row._mapping) if row else None

    async def add(self, report: ImportReport, *, actor: str, scope: str) -> None:
        await self._session.execute(
            pg_insert(orm.client_imports)
            .values(
                id=report.id,
                file_sha256=report.file_sha256,
                scope=scope,
                filename=report.filename,
                uploaded_by=actor,
                rows=report.rows,
                registered=report.registered,
                already_registered=report.already_registered,
                rejected=[dataclasses.asdict(r) for r in report.rejected],
            )
            .on_conflict_do_nothing()  # the same sheet imported concurrently: first one wins
        )


def _to_report(row: Any) -> ImportReport:
    return ImportReport(
        id=row["id"],
        filename=row["filename"],
        file_sha256=row["file_sha256"],
        rows=row["rows"],
        registered=row["registered"],
        already_registered=row["already_registered"],
        rejected=[Rejection(**r) for r in row["rejected"]],
    )
