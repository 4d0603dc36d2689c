"""Cases, notes and follow-up tasks. Due dates count Indonesian working days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID, uuid4

from client.adapters import publishing
from client.adapters.staff_directory import Officer
from client.domain.case import Attachment, Case, IllegalTransition, Note, Task
from client.domain.model import Client
from client.service_layer import commands
from client.service_layer.handlers import ClientNotFound, Context, audit_view
from client.service_layer.unit_of_work import UnitOfWork
from shared.auth import Principal
from shared.calendar import add_working_days, local_now
from shared.errors import InvalidField, NotFound


class CaseNotFound(NotFound):
    """No such case of that client in the caller's region (404)."""

    def __init__(self) -> None:
        super().__init__("case")


class TaskNotFound(NotFound):
    """No such task on that case (404)."""

    def __init__(self) -> None:
        super().__init__("task")


class NoOffice(InvalidField):
    """The caller's token names no region or username (422 naming `token`)."""

    def __init__(self) -> None:
        super().__init__("token", "names no region or username")


@dataclass(frozen=True)
class CaseView:
    case: Case
    notes: list[Note]
    tasks: list[Task]
    attachments: list[Attachment]
    today: datetime


async def _client_and_case(
    uow: UnitOfWork, actor: Principal, client_id: UUID, case_id: UUID
) -> tuple[Client, Case]:
    client = await uow.clients.get(client_id, actor.scope)
    case = await uow.cases.get(case_id, actor.scope) if client else None
    if client is None or case is None or case.client_id != client.id:
        raise CaseNotFound()
    return client, case


async def open_case(cmd: commands.OpenCase, uow: UnitOfWork, ctx: Context) -> Case:
    async with uow:
        client = await uow.clients.get(cmd.client_id, cmd.actor.scope)
        if client is None:
            raise ClientNotFound()
        case = Case.open(
            client,
            title=cmd.title,
            assigned_to=cmd.assigned_to or cmd.actor.subject,
            by=cmd.actor.subject,
            now=ctx.now(),
        )
        await uow.cases.add(case)
        uow.track(client, case)
        await uow.commit()
    return case


async def change_status(cmd: commands.ChangeCaseStatus, uow: UnitOfWork, ctx: Context) -> Case:
    async with uow:
        client, case = await _client_and_case(uow, cmd.actor, cmd.client_id, cmd.case_id)
        if case.move_to(cmd.status, ctx.now()):
            await uow.cases.save(case)
            uow.track(client, case)
            await uow.commit()
    return case


async def add_note(cmd: commands.AddNote, uow: UnitOfWork, ctx: Context) -> Note:
    async with uow:
        _, case = await _client_and_case(uow, cmd.actor, cmd.client_id, cmd.case_id)
        note = Note(uuid4(), case.id, cmd.actor.subject, cmd.body.strip(), ctx.now())
        await uow.cases.add_note(note)
        await uow.commit()
    return note


async def add_task(cmd: commands.AddTask, uow: UnitOfWork, ctx: Context) -> Task:
    now = ctx.now()
    async with uow:
        _, case = await _client_and_case(uow, cmd.actor, cmd.client_id, cmd.case_id)
        today = local_now(case.region_code, now).date()
        due = add_working_days(today, cmd.due_in_working_days, ctx.holidays)
        task = Task(uuid4(), case.id, cmd.title.strip(), due, cmd.actor.subject, now)
        await uow.cases.add_task(task)
        await uow.commit()
    return task


async def complete_task(cmd: commands.CompleteTask, uow: UnitOfWork, ctx: Context) -> Task:
    """Done, with its outcome; an account follow-up's answers are published for the
    indicators in the same transaction."""
    async with uow:
        _, case = await _client_and_case(uow, cmd.actor, cmd.client_id, cmd.case_id)
        task = await uow.cases.task(cmd.task_id, case.id)
        if task is None:
            raise TaskNotFound()
        if case.status == "closed":
            raise IllegalTransition("the case is closed: reopen it first")
        answers = {
            "account_in_own_name": cmd.account_in_own_name,
            "account_in_use": cmd.account_in_use,
        }
        task.complete(by=cmd.actor.subject, now=ctx.now(), outcome=cmd.outcome, answers=answers)
        await uow.cases.save_task(task)
        if task.account_follow_up is not None:
            uow.announce(
                [publishing.follow_up_answered_envelope(task, case.client_id, case.region_code)]
            )
        await uow.commit()
    return task


async def cases_of(
    client_id: UUID, actor: Principal, uow: UnitOfWork, ctx: Context
) -> list[CaseView]:
    async with uow:
        client = await uow.clients.get(client_id, actor.scope)
        if client is None:
            raise ClientNotFound()
        today = local_now(client.region_code, ctx.now())
        views = [
            CaseView(
                case,
                await uow.cases.notes(case.id),
                await uow.cases.tasks(case.id),
                await uow.cases.attachments(case.id),
                today,
            )
            for case in await uow.cases.for_client(client.id)
        ]
        await audit_view(uow, actor, client, "cases")
        await uow.commit()
    return views


@dataclass(frozen=True)
class DueTask:
    task: Task
    client_id: UUID
    overdue: bool


async def my_tasks(
    actor: Principal, uow: UnitOfWork, ctx: Context, due_by: date | None, limit: int
) -> list[DueTask]:
    """The caller's open follow-ups due by a day (default: today in the caller's office)."""
    office_today = local_now(actor.region or "31", ctx.now()).date()
    async with uow:
        found = await uow.cases.open_tasks_of(
            actor.subject, actor.scope, due_by or office_today, limit
        )
    return [DueTask(task, client_id, task.overdue(office_today)) for task, client_id, _ in found]


async def enlist(actor: Principal, uow: UnitOfWork, ctx: Context) -> dict[str, str]:
    """Note who the caller is and where they work, so supervisors can give them cases."""
    if actor.region is None or actor.username is None:
        raise NoOffice()
    async with uow:
        await uow.staff.enlist(actor.subject, actor.username, actor.region, ctx.now())
        await uow.commit()
    return {"subject": actor.subject, "username": actor.username, "region_code": actor.region}


class StaffDirectory(Protocol):
    async def officers(self) -> list[Officer] | None: ...


async def staff_of(
    actor: Principal, uow: UnitOfWork, directory: StaffDirectory
) -> list[dict[str, Any]]:
    """The people of the caller's province cases can be given to, by username: the officers
    and supervisors the realm places there, whether or not they ever signed in to the portal.
    Only while the realm cannot be read, those who signed in to the portal."""
    realm = await directory.officers()
    if realm is None:
        async with uow:
            return await uow.staff.within(actor.scope)
    return [
        {"subject": o.subject, "username": o.username, "region_code": o.region_code}
        for o in realm
        if actor.scope.allows(o.region_code)
    ]


async def cases_assigned(
    actor: Principal, uow: UnitOfWork, assignee: str, limit: int
) -> list[Case]:
    """Someone's cases that are not closed, within the caller's region."""
    async with uow:
        return await uow.cases.assigned_to(assignee, actor.scope, limit)


async def attach(cmd: commands.AttachDocument, uow: UnitOfWork, ctx: Context) -> Attachment:
    """Record a document's metadata on the case (the file itself is kept elsewhere)."""
    async with uow:
        _, case = await _client_and_case(uow, cmd.actor, cmd.client_id, cmd.case_id)
        attachment = Attachment(
            uuid4(),
            case.id,
            cmd.filename,
            cmd.content_type,
            cmd.size_bytes,
            cmd.sha256,
            cmd.actor.subject,
            ctx.now(),
        )
        await uow.cases.add_attachment(attachment)
        await uow.commit()
    return attachment


async def reassign(cmd: commands.ReassignCases, uow: UnitOfWork) -> list[Case]:
    """All or nothing: every case must lie in the supervisor's province."""
    async with uow:
        moved = []
        for case_id in dict.fromkeys(cmd.case_ids):
            case = await uow.cases.get(case_id, cmd.actor.scope)
            client = await uow.clients.get(case.client_id, cmd.actor.scope) if case else None
            if case is None or client is None:
                raise CaseNotFound()
            case.assign(cmd.assigned_to)
            if case.events:
                await uow.cases.save(case)
                uow.track(client, case)
            moved.append(case)
        await uow.commit()
    return moved
