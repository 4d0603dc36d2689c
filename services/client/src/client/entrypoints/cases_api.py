"""HTTP routes of cases: open, move, note, follow up, reassign in bulk."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, status

from client.domain.case import Case, Task
from client.entrypoints.dependencies import (
    CaseWorker,
    ContainerDep,
    ContextDep,
    Supervisor,
    UowDep,
)
from client.entrypoints.schemas.cases import (
    AttachmentOut,
    CaseList,
    CaseOut,
    CaseStatusChange,
    DueTaskList,
    DueTaskOut,
    NewAttachment,
    NewCase,
    NewNote,
    NewTask,
    NoteOut,
    Reassignment,
    StaffList,
    StaffOut,
    TaskCompletion,
    TaskOut,
)
from client.service_layer import cases, commands
from shared.problems import Problem

router = APIRouter(prefix="/api/clients/{client_id}/cases", tags=["cases"])
bulk_router = APIRouter(prefix="/api/client/cases", tags=["cases"])
tasks_router = APIRouter(prefix="/api/client/tasks", tags=["cases"])
staff_router = APIRouter(prefix="/api/client/staff", tags=["cases"])
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no such case in your region"}}


def _task(task: Task, today: date) -> TaskOut:
    return TaskOut(
        id=task.id,
        kind=task.kind,
        title=task.title,
        due_on=task.due_on,
        done_at=task.done_at,
        overdue=task.overdue(today),
        asks=list(task.asks),
        done_by=task.done_by,
        outcome=task.outcome,
        account_in_own_name=task.account_in_own_name,
        account_in_use=task.account_in_use,
    )


def _case(case: Case, view: cases.CaseView | None = None) -> CaseOut:
    out = CaseOut(
        id=case.id,
        client_id=case.client_id,
        title=case.title,
        status=case.status,
        assigned_to=case.assigned_to,
        opened_at=case.opened_at,
        closed_at=case.closed_at,
    )
    if view is not None:
        out.notes = [
            NoteOut(id=n.id, author=n.author, body=n.body, created_at=n.created_at)
            for n in view.notes
        ]
        out.tasks = [_task(t, view.today.date()) for t in view.tasks]
        out.attachments = [
            AttachmentOut.model_validate(a, from_attributes=True) for a in view.attachments
        ]
    return out


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CaseOut, responses=NOT_FOUND)
async def open_case(
    client_id: UUID, body: NewCase, user: CaseWorker, uow: UowDep, ctx: ContextDep
) -> CaseOut:
    command = commands.OpenCase(user, client_id, body.title, body.assigned_to)
    return _case(await cases.open_case(command, uow, ctx))


@router.get("", response_model=CaseList, responses=NOT_FOUND)
async def list_cases(client_id: UUID, user: CaseWorker, uow: UowDep, ctx: ContextDep) -> CaseList:
    views = await cases.cases_of(client_id, user, uow, ctx)
    return CaseList(items=[_case(v.case, v) for v in views])


@router.patch("/{case_id}", response_model=CaseOut, responses=NOT_FOUND)
async def change_status(
    client_id: UUID,
    case_id: UUID,
    body: CaseStatusChange,
    user: CaseWorker,
    uow: UowDep,
    ctx: ContextDep,
) -> CaseOut:
    """Move a case to `in_progress` or `closed`; a closed case is reopened with `open`
    (published as `jembatan.case.reopened.v1`), never straight to `in_progress`."""
    command = commands.ChangeCaseStatus(user, client_id, case_id, body.status)
    return _case(await cases.change_status(command, uow, ctx))


@router.post(
    "/{case_id}/notes",
    status_code=status.HTTP_201_CREATED,
    response_model=NoteOut,
    responses=NOT_FOUND,
)
async def add_note(
    client_id: UUID, case_id: UUID, body: NewNote, user: CaseWorker, uow: UowDep, ctx: ContextDep
) -> NoteOut:
    note = await cases.add_note(commands.AddNote(user, client_id, case_id, body.body), uow, ctx)
    return NoteOut(id=note.id, author=note.author, body=note.body, created_at=note.created_at)


@router.post(
    "/{case_id}/tasks",
    status_code=status.HTTP_201_CREATED,
    response_model=TaskOut,
    responses=NOT_FOUND,
)
async def add_task(
    client_id: UUID, case_id: UUID, body: NewTask, user: CaseWorker, uow: UowDep, ctx: ContextDep
) -> TaskOut:
    """A follow-up task due after `due_in_working_days` Indonesian working days."""
    command = commands.AddTask(user, client_id, case_id, body.title, body.due_in_working_days)
    task = await cases.add_task(command, uow, ctx)
    return _task(task, task.due_on)


@router.post(
    "/{case_id}/tasks/{task_id}/completion",
    response_model=TaskOut,
    responses=NOT_FOUND | {409: {"description": "the task is done, or its case closed"}},
)
async def complete_task(
    client_id: UUID,
    case_id: UUID,
    task_id: UUID,
    body: TaskCompletion,
    user: CaseWorker,
    uow: UowDep,
    ctx: ContextDep,
) -> TaskOut:
    """Complete a task with its outcome. An account follow-up needs the client's answers:
    at 30 days `account_in_own_name` and `account_in_use`, at 90 days `account_in_use`;
    they are published as `jembatan.follow_up.answered.v1` for the ministry's indicators."""
    command = commands.CompleteTask(
        user,
        client_id,
        case_id,
        task_id,
        body.outcome,
        body.account_in_own_name,
        body.account_in_use,
    )
    task = await cases.complete_task(command, uow, ctx)
    return _task(task, task.due_on)


@router.post(
    "/{case_id}/attachments",
    status_code=status.HTTP_201_CREATED,
    response_model=AttachmentOut,
    responses=NOT_FOUND,
)
async def attach(
    client_id: UUID,
    case_id: UUID,
    body: NewAttachment,
    user: CaseWorker,
    uow: UowDep,
    ctx: ContextDep,
) -> AttachmentOut:
    """Record an attached document's metadata (name, type, size, SHA-256)."""
    command = commands.AttachDocument(
        user, client_id, case_id, body.filename, body.content_type, body.size_bytes, body.sha256
    )
    attachment = await cases.attach(command, uow, ctx)
    return AttachmentOut.model_validate(attachment, from_attributes=True)


@bulk_router.get("", response_model=CaseList, responses={403: {"description": "another's cases"}})
async def cases_assigned(
    user: CaseWorker,
    uow: UowDep,
    assigned_to: Annotated[
        str, Query(min_length=1, max_length=100, description="an officer's id, or `me`")
    ],
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> CaseList:
    """Open cases assigned to one person, newest first: your own caseload (`me`), or, for a
    supervisor, a colleague's in the province (what a bulk reassignment chooses from)."""
    assignee = user.subject if assigned_to == "me" else assigned_to
    if assignee != user.subject and "supervisor" not in user.roles:
        raise Problem(403, "Forbidden", "Only a supervisor lists a colleague's cases.")
    found = await cases.cases_assigned(user, uow, assignee, limit)
    return CaseList(items=[_case(c) for c in found])


@bulk_router.post("/reassign", response_model=CaseList, responses=NOT_FOUND)
async def reassign(body: Reassignment, user: Supervisor, uow: UowDep) -> CaseList:
    """Move cases of the supervisor's province to another officer, all or none."""
    command = commands.ReassignCases(user, tuple(body.case_ids), body.assigned_to)
    moved = await cases.reassign(command, uow)
    return CaseList(items=[_case(c) for c in moved])


@tasks_router.get("", response_model=DueTaskList)
async def my_tasks(
    user: CaseWorker,
    uow: UowDep,
    ctx: ContextDep,
    due_by: date | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
) -> DueTaskList:
    """Your open follow-ups due by a day (default: today in your office's time zone), the
    overdue ones first: what the dashboard lists as due today and overdue."""
    due = await cases.my_tasks(user, uow, ctx, due_by, limit)
    return DueTaskList(
        items=[
            DueTaskOut(
                id=d.task.id,
                case_id=d.task.case_id,
                client_id=d.client_id,
                kind=d.task.kind,
                title=d.task.title,
                due_on=d.task.due_on,
                overdue=d.overdue,
            )
            for d in due
        ]
    )


@staff_router.put("/me", response_model=StaffOut)
async def enlist_me(user: CaseWorker, uow: UowDep, ctx: ContextDep) -> StaffOut:
    """Record who you are and where you work (the portal calls this at each login), so that
    supervisors can give you cases by name."""
    return StaffOut(**await cases.enlist(user, uow, ctx))


@staff_router.get("", response_model=StaffList)
async def staff(user: Supervisor, uow: UowDep, container: ContainerDep) -> StaffList:
    """The people of your province you can give cases to: every officer the realm places in
    it (also one who never signed in to the portal), and whoever signed in to the portal."""
    rows = await cases.staff_of(user, uow, container.staff)
    return StaffList(items=[StaffOut.model_validate(r) for r in rows])
