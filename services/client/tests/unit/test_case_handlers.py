"""The case handlers through the fake unit of work: what each stores, publishes and refuses."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from uuid import uuid4

import pytest

from client.domain.case import Case, IllegalTransition, Task
from client.domain.model import Client
from client.service_layer import cases, commands, follow_ups, handlers
from shared.auth import Principal
from shared.contracts import client as client_contracts

from .fakes import FakeUnitOfWork
from .test_registration import BUDI, CTX, NOW, SITI, _register

COVERS = {
    "cases.open_case",
    "cases.change_status",
    "cases.add_note",
    "cases.add_task",
    "cases.complete_task",
    "cases.cases_of",
    "cases.my_tasks",
    "cases.enlist",
    "cases.cases_assigned",
    "cases.attach",
    "cases.reassign",
    "follow_ups.announce_due_tasks",
}
RINA = Principal("rina-sub", "rina", "officer-portal", frozenset({"supervisor"}), "32", None)


async def _client_with_case(uow: FakeUnitOfWork) -> tuple[Client, Case]:
    client = await handlers.register_client(_register(), uow, CTX)
    case = await cases.open_case(commands.OpenCase(SITI, client.id, "Pendampingan"), uow, CTX)
    uow.published.clear()
    return client, case


async def test_a_case_is_opened_for_a_client_of_the_region_with_its_event() -> None:
    uow = FakeUnitOfWork()
    client = await handlers.register_client(_register(), uow, CTX)
    uow.published.clear()
    case = await cases.open_case(commands.OpenCase(SITI, client.id, " Pendampingan "), uow, CTX)
    stored = uow.cases.rows[case.id]
    assert (stored.title, stored.assigned_to, stored.status) == ("Pendampingan", "siti-sub", "open")
    assert [type(e).__name__ for e in uow.published] == ["CaseOpened"]
    with pytest.raises(handlers.ClientNotFound):
        await cases.open_case(commands.OpenCase(BUDI, client.id, "Lain"), uow, CTX)


async def test_closing_a_case_is_saved_and_published_and_the_same_status_writes_nothing() -> None:
    uow = FakeUnitOfWork()
    client, case = await _client_with_case(uow)
    closed = await cases.change_status(
        commands.ChangeCaseStatus(SITI, client.id, case.id, "closed"), uow, CTX
    )
    assert uow.cases.rows[case.id].status == "closed" and closed.closed_at == NOW
    assert [type(e).__name__ for e in uow.published] == ["CaseClosed"]
    commits = uow.committed
    await cases.change_status(
        commands.ChangeCaseStatus(SITI, client.id, case.id, "closed"), uow, CTX
    )
    assert uow.committed == commits
    with pytest.raises(IllegalTransition):
        await cases.change_status(
            commands.ChangeCaseStatus(SITI, client.id, case.id, "in_progress"), uow, CTX
        )


async def test_a_note_is_kept_trimmed_and_only_on_a_case_of_the_callers_region() -> None:
    uow = FakeUnitOfWork()
    client, case = await _client_with_case(uow)
    note = await cases.add_note(commands.AddNote(SITI, client.id, case.id, "  datang  "), uow, CTX)
    assert uow.cases.note_rows == [note] and note.body == "datang"
    with pytest.raises(cases.CaseNotFound):
        await cases.add_note(commands.AddNote(BUDI, client.id, case.id, "x"), uow, CTX)
    with pytest.raises(cases.CaseNotFound):
        await cases.add_note(commands.AddNote(SITI, uuid4(), case.id, "x"), uow, CTX)


async def test_a_task_is_due_in_working_days_of_the_office() -> None:
    uow = FakeUnitOfWork()
    client, case = await _client_with_case(uow)
    holidays = replace(CTX, holidays=frozenset({date(2026, 12, 1)}))
    # NOW is Sunday 29 November in Bandung: Monday 30, (1 December a holiday), Wednesday 2.
    task = await cases.add_task(
        commands.AddTask(SITI, client.id, case.id, " Telepon ", 2), uow, holidays
    )
    assert uow.cases.task_rows[task.id].due_on == date(2026, 12, 2)
    assert task.title == "Telepon" and task.created_by == "siti-sub"


async def test_completing_an_account_follow_up_publishes_the_answers() -> None:
    uow = FakeUnitOfWork()
    client, case = await _client_with_case(uow)
    follow_up = Task(
        uuid4(),
        case.id,
        "30 hari",
        date(2026, 12, 29),
        "jembatan",
        NOW,
        kind="account_follow_up_30",
    )
    await uow.cases.add_task(follow_up)
    done = await cases.complete_task(
        commands.CompleteTask(SITI, client.id, case.id, follow_up.id, "ditelepon", True, True),
        uow,
        CTX,
    )
    stored = uow.cases.task_rows[follow_up.id]
    assert stored.done_at == NOW and stored.account_in_own_name and done.outcome == "ditelepon"
    [answered] = uow.announced
    assert answered.type == client_contracts.FollowUpAnswered.TYPE
    assert answered.data["account_in_own_name"] is True


async def test_an_officers_task_completes_quietly_and_a_missing_or_closed_one_is_refused() -> None:
    uow = FakeUnitOfWork()
    client, case = await _client_with_case(uow)
    task = await cases.add_task(commands.AddTask(SITI, client.id, case.id, "Telepon", 1), uow, CTX)
    await cases.complete_task(
        commands.CompleteTask(SITI, client.id, case.id, task.id, "selesai"), uow, CTX
    )
    assert uow.cases.task_rows[task.id].done_by == "siti-sub" and uow.announced == []
    with pytest.raises(cases.TaskNotFound):
        await cases.complete_task(
            commands.CompleteTask(SITI, client.id, case.id, uuid4(), "x"), uow, CTX
        )
    other = await cases.add_task(commands.AddTask(SITI, client.id, case.id, "Lagi", 1), uow, CTX)
    await cases.change_status(
        commands.ChangeCaseStatus(SITI, client.id, case.id, "closed"), uow, CTX
    )
    with pytest.raises(IllegalTransition):
        await cases.complete_task(
            commands.CompleteTask(SITI, client.id, case.id, other.id, "x"), uow, CTX
        )


async def test_a_clients_cases_come_with_notes_tasks_and_attachments_and_the_read_is_audited() -> (
    None
):
    uow = FakeUnitOfWork()
    client, case = await _client_with_case(uow)
    await cases.add_note(commands.AddNote(SITI, client.id, case.id, "datang"), uow, CTX)
    await cases.add_task(commands.AddTask(SITI, client.id, case.id, "Telepon", 1), uow, CTX)
    [view] = await cases.cases_of(client.id, SITI, uow, CTX)
    assert view.case.id == case.id and len(view.notes) == len(view.tasks) == 1
    assert uow.audit.parts == [("siti-sub", client.id, "cases", "case_management")]
    with pytest.raises(handlers.ClientNotFound):
        await cases.cases_of(client.id, BUDI, uow, CTX)


async def test_my_tasks_are_the_open_ones_due_by_the_day_with_the_late_ones_marked() -> None:
    uow = FakeUnitOfWork()
    client, case = await _client_with_case(uow)
    late = Task(uuid4(), case.id, "Lama", date(2026, 11, 20), "siti-sub", NOW)
    later = Task(uuid4(), case.id, "Nanti", date(2026, 12, 20), "siti-sub", NOW)
    for task in (late, later):
        await uow.cases.add_task(task)
    found = await cases.my_tasks(SITI, uow, CTX, None, 50)
    assert [(d.task.id, d.client_id, d.overdue) for d in found] == [(late.id, client.id, True)]
    assert len(await cases.my_tasks(SITI, uow, CTX, date(2026, 12, 31), 50)) == 2
    assert await cases.my_tasks(BUDI, uow, CTX, date(2026, 12, 31), 50) == []


async def test_enlisting_notes_who_and_where_and_needs_an_office() -> None:
    uow = FakeUnitOfWork()
    assert await cases.enlist(SITI, uow, CTX) == {
        "subject": "siti-sub",
        "username": "siti",
        "region_code": "3273",
    }
    assert uow.staff.rows == {"siti-sub": ("siti", "3273")} and uow.committed == 1
    nowhere = Principal("x-sub", "x", "officer-portal", frozenset({"admin"}), None, None)
    with pytest.raises(cases.NoOffice):
        await cases.enlist(nowhere, uow, CTX)


async def test_someones_cases_are_those_not_closed_within_the_callers_region() -> None:
    uow = FakeUnitOfWork()
    client, case = await _client_with_case(uow)
    assert [c.id for c in await cases.cases_assigned(RINA, uow, "siti-sub", 50)] == [case.id]
    jatim = Principal("sup-35", "eko", "officer-portal", frozenset({"supervisor"}), "35", None)
    assert await cases.cases_assigned(jatim, uow, "siti-sub", 50) == []
    await cases.change_status(
        commands.ChangeCaseStatus(SITI, client.id, case.id, "closed"), uow, CTX
    )
    assert await cases.cases_assigned(RINA, uow, "siti-sub", 50) == []


async def test_an_attachment_is_recorded_on_the_case() -> None:
    uow = FakeUnitOfWork()
    client, case = await _client_with_case(uow)
    command = commands.AttachDocument(
        SITI, client.id, case.id, "ktp.pdf", "application/pdf", 1200, "ab" * 32
    )
    attachment = await cases.attach(command, uow, CTX)
    assert uow.cases.attachment_rows == [attachment]
    assert (attachment.added_by, attachment.added_at) == ("siti-sub", NOW)


async def test_reassignment_moves_every_case_or_refuses_one_outside_the_region() -> None:
    uow = FakeUnitOfWork()
    _, case = await _client_with_case(uow)
    [moved] = await cases.reassign(commands.ReassignCases(RINA, (case.id, case.id), "dewi"), uow)
    assert uow.cases.rows[case.id].assigned_to == "dewi" == moved.assigned_to
    assert [type(e).__name__ for e in uow.published] == ["CaseAssigned"]
    jatim = Principal("sup-35", "eko", "officer-portal", frozenset({"supervisor"}), "35", None)
    with pytest.raises(cases.CaseNotFound):
        await cases.reassign(commands.ReassignCases(jatim, (case.id,), "eko"), uow)


async def test_a_task_is_announced_once_when_its_day_has_come_in_its_office() -> None:
    uow = FakeUnitOfWork()
    client, case = await _client_with_case(uow)
    late_evening = NOW.replace(hour=16, minute=30)  # 23:30 in Bandung (WIB), still the 29th
    today, tomorrow = (
        Task(uuid4(), case.id, title, day, "siti-sub", NOW, kind="account_follow_up_30")
        for title, day in (("today", date(2026, 11, 29)), ("tomorrow", date(2026, 11, 30)))
    )
    for task in (today, tomorrow):
        await uow.cases.add_task(task)
    committed = uow.committed
    assert await follow_ups.announce_due_tasks(uow, late_evening) == 1
    [due] = uow.announced
    assert (due.type, due.key) == (client_contracts.TaskDue.TYPE, str(client.id))
    assert due.data["task_id"] == str(today.id)
    assert uow.cases.task_rows[today.id].announced_at == late_evening
    assert uow.committed == committed + 1
    # The next scan announces it no more; tomorrow's waits for its own day in Bandung.
    assert await follow_ups.announce_due_tasks(uow, late_evening) == 0
    assert await follow_ups.announce_due_tasks(uow, late_evening + timedelta(hours=1)) == 1
    assert [e.data["task_id"] for e in uow.announced] == [str(today.id), str(tomorrow.id)]
