"""A fake case repository, as the case handlers and the worker's follow-ups use it."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from uuid import UUID

from client.adapters.repositories.conflicts import ConcurrentUpdate
from client.domain.case import Attachment, Case, Note, Task
from shared.auth import RegionScope


class FakeCases:
    """Cases kept as saved (events are the unit of work's business); like the real one, a
    stale `save` is refused."""

    def __init__(self) -> None:
        self.rows: dict[UUID, Case] = {}
        self.note_rows: list[Note] = []
        self.task_rows: dict[UUID, Task] = {}
        self.attachment_rows: list[Attachment] = []

    async def add(self, case: Case) -> None:
        self.rows[case.id] = dataclasses.replace(case, events=[])

    async def save(self, case: Case) -> None:
        if self.rows[case.id].version >= case.version:
            raise ConcurrentUpdate()
        self.rows[case.id] = dataclasses.replace(case, events=[])

    async def get(self, case_id: UUID, scope: RegionScope) -> Case | None:
        case = self.rows.get(case_id)
        if case is None or not scope.allows(case.region_code):
            return None
        return dataclasses.replace(case, events=[])

    async def for_client(self, client_id: UUID) -> list[Case]:
        found = [c for c in self.rows.values() if c.client_id == client_id]
        return sorted(found, key=lambda c: c.opened_at, reverse=True)

    async def open_case_of(self, client_id: UUID) -> Case | None:
        return next((c for c in await self.for_client(client_id) if c.status != "closed"), None)

    async def add_note(self, note: Note) -> None:
        self.note_rows.append(note)

    async def notes(self, case_id: UUID) -> list[Note]:
        return [n for n in self.note_rows if n.case_id == case_id]

    async def add_task(self, task: Task) -> None:
        self.task_rows[task.id] = dataclasses.replace(task)

    async def task(self, task_id: UUID, case_id: UUID) -> Task | None:
        task = self.task_rows.get(task_id)
        return dataclasses.replace(task) if task and task.case_id == case_id else None

    async def save_task(self, task: Task) -> None:
        self.task_rows[task.id] = dataclasses.replace(task)

    async def tasks(self, case_id: UUID) -> list[Task]:
        return sorted(
            (t for t in self.task_rows.values() if t.case_id == case_id), key=lambda t: t.due_on
        )

    async def open_tasks_of(
        self, assignee: str, scope: RegionScope, due_by: date, limit: int
    ) -> list[tuple[Task, UUID, str]]:
        found = [
            (t, c.client_id, c.region_code)
            for t in self.task_rows.values()
            if (c := self.rows[t.case_id]).assigned_to == assignee
            and c.status != "closed"
            and scope.allows(c.region_code)
            and t.done_at is None
            and t.due_on <= due_by
        ]
        return sorted(found, key=lambda f: f[0].due_on)[:limit]

    async def tasks_falling_due(self, until: date, limit: int) -> list[tuple[Task, UUID, str]]:
        found = [
            (t, c.client_id, c.region_code)
            for t in self.task_rows.values()
            if (c := self.rows[t.case_id])
            and t.done_at is None
            and t.announced_at is None
            and t.due_on <= until
        ]
        return sorted(found, key=lambda f: f[0].due_on)[:limit]

    async def mark_announced(self, task_id: UUID, at: datetime) -> None:
        self.task_rows[task_id] = dataclasses.replace(self.task_rows[task_id], announced_at=at)

    async def assigned_to(self, assignee: str, scope: RegionScope, limit: int) -> list[Case]:
        found = [
            c
            for c in self.rows.values()
            if c.assigned_to == assignee and c.status != "closed" and scope.allows(c.region_code)
        ]
        return found[:limit]

    async def add_attachment(self, attachment: Attachment) -> None:
        self.attachment_rows.append(attachment)

    async def attachments(self, case_id: UUID) -> list[Attachment]:
        return [a for a in self.attachment_rows if a.case_id == case_id]
