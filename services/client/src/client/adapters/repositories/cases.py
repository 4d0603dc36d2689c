"""Cases, their notes, tasks and attachments."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from client.adapters import orm
from client.adapters.repositories.conflicts import ConcurrentUpdate
from client.domain.case import Attachment, Case, Note, Task
from shared.auth import RegionScope


class CaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, case: Case) -> None:
        await self._session.execute(insert(orm.cases).values(**_case_values(case)))

    async def save(self, case: Case) -> None:
        values = _case_values(case)
        result = await self._session.execute(
            update(orm.cases)
            .where(orm.cases.c.id == case.id, orm.cases.c.version < case.version)
            .values(**values)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentUpdate()

    async def get(self, case_id: UUID, scope: RegionScope) -> Case | None:
        row = (
            await self._session.execute(
                select(orm.cases)
                .where(orm.cases.c.id == case_id, scope.filter(orm.cases.c.region_code))
                .with_for_update()
            )
        ).first()
        return Case(**row._mapping) if row else None

    async def for_client(self, client_id: UUID) -> list[Case]:
        rows = await self._session.execute(
            select(orm.cases)
            .where(orm.cases.c.client_id == client_id)
            .order_by(orm.cases.c.opened_at.desc())
        )
        return [Case(**r._mapping) for r in rows]

    async def add_note(self, note: Note) -> None:
        await self._session.execute(insert(orm.case_notes).values(**dataclasses.asdict(note)))

    async def notes(self, case_id: UUID) -> list[Note]:
        rows = await self._session.execute(
            select(orm.case_notes)
            .where(orm.case_notes.c.case_id == case_id)
            .order_by(orm.case_notes.c.created_at)
        )
        return [Note(**r._mapping) for r in rows]

    async def add_task(self, task: Task) -> None:
        await self._session.execute(insert(orm.tasks).values(**dataclasses.asdict(task)))

    async def add_attachment(self, attachment: Attachment) -> None:
        await self._session.execute(
            insert(orm.case_attachments).values(**dataclasses.asdict(attachment))
        )

    async def attachments(self, case_id: UUID) -> list[Attachment]:
        rows = await self._session.execute(
            select(orm.case_attachments)
            .where(orm.case_attachments.c.case_id == case_id)
            .order_by(orm.case_attachments.c.added_at)
        )
        return [Attachment(**r._mapping) for r in rows]

    async def open_case_of(self, client_id: UUID) -> Case | None:
        row = (
            await self._session.execute(
                select(orm.cases)
                .where(orm.cases.c.client_id == client_id, orm.cases.c.status != "closed")
                .order_by(orm.cases.c.opened_at.desc())
                .limit(1)
                .with_for_update()
            )
        ).first()
        return Case(**row._mapping) if row else None

    async def tasks_falling_due(self, until: date, limit: int) -> list[tuple[Task, UUID, str]]:
        """Open, unannounced tasks due by `until`, each with its client and region; locked."""
        rows = await self._session.execute(
            select(orm.tasks, orm.cases.c.client_id, orm.cases.c.region_code)
            .join(orm.cases, orm.cases.c.id == orm.tasks.c.case_id)
            .where(
                orm.tasks.c.done_at.is_(None),
                orm.tasks.c.announced_at.is_(None),
                orm.tasks.c.due_on <= until,
            )
            .order_by(orm.tasks.c.due_on)
            .limit(limit)
            .with_for_update(of=orm.tasks, skip_locked=True)
        )
        out = []
        for r in rows:
            fields = {c.name: r._mapping[c] for c in orm.tasks.c}
            out.append((Task(**fields), r.client_id, r.region_code))
        return out

    async def mark_announced(self, task_id: UUID, at: datetime) -> None:
        await self._session.execute(
            update(orm.tasks).where(orm.tasks.c.id == task_id).values(announced_at=at)
        )

    async def task(self, task_id: UUID, case_id: UUID) -> Task | None:
        row = (
            await self._session.execute(
                select(orm.tasks)
                .where(orm.tasks.c.id == task_id, orm.tasks.c.case_id == case_id)
                .with_for_update()
            )
        ).first()
        return Task(**row._mapping) if row else None

    async def save_task(self, task: Task) -> None:
        await self._session.execute(
            update(orm.tasks).where(orm.tasks.c.id == task.id).values(**dataclasses.asdict(task))
        )

    async def tasks(self, case_id: UUID) -> list[Task]:
        rows = await self._session.execute(
            select(orm.tasks).where(orm.tasks.c.case_id == case_id).order_by(orm.tasks.c.due_on)
        )
        return [Task(**r._mapping) for r in rows]

    async def assigned_to(self, assignee: str, scope: RegionScope, limit: int) -> list[Case]:
        """Cases not closed that are assigned to `assignee`, within `scope`, newest first."""
        rows = await self._session.execute(
            select(orm.cases)
            .where(
                orm.cases.c.assigned_to == assignee,
                orm.cases.c.status != "closed",
                scope.filter(orm.cases.c.region_code),
            )
            .order_by(orm.cases.c.opened_at.desc(), orm.cases.c.id)
            .limit(limit)
        )
        return [Case(**r._mapping) for r in rows]

    async def open_tasks_of(
        self, assignee: str, scope: RegionScope, due_by: date, limit: int
    ) -> list[tuple[Task, UUID, str]]:
        """Open tasks of cases assigned to `assignee`, due by `due_by`, soonest first; each
        with its client and region."""
        rows = await self._session.execute(
            select(orm.tasks, orm.cases.c.client_id, orm.cases.c.region_code)
            .join(orm.cases, orm.cases.c.id == orm.tasks.c.case_id)
            .where(
                orm.cases.c.assigned_to == assignee,
                orm.cases.c.status != "closed",
                scope.filter(orm.cases.c.region_code),
                orm.tasks.c.done_at.is_(None),
                orm.tasks.c.due_on <= due_by,
            )
            .order_by(orm.tasks.c.due_on, orm.tasks.c.id)
            .limit(limit)
        )
        tasks = []
        for r in rows:
            fields = {k: v for k, v in r._mapping.items() if k not in ("client_id", "region_code")}
            tasks.append((Task(**fields), r.client_id, r.region_code))
        return tasks


def _case_values(case: Case) -> dict[str, Any]:
    values = dataclasses.asdict(case)
    values.pop("events")
    return values
