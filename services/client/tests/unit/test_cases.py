"""Cases close and reopen; tasks are completed with their outcome (an account follow-up with
the client's answers); follow-ups fall due in Indonesian working days."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from client.adapters.staff_directory import Officer
from client.domain.case import Case, IllegalTransition, Task
from client.domain.model import InvalidClient
from shared.auth import Principal
from shared.calendar import add_working_days, is_working_day, local_now, time_zone_of

COVERS = {
    "cases.staff_of",
}

NOW = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
HOLIDAYS = frozenset({date(2026, 12, 24), date(2026, 12, 25)})


def test_working_days_skip_weekends_and_holidays() -> None:
    assert add_working_days(date(2026, 12, 23), 2, HOLIDAYS) == date(2026, 12, 29)
    assert add_working_days(date(2026, 12, 4), 1, HOLIDAYS) == date(2026, 12, 7)  # Fri → Mon
    assert add_working_days(date(2026, 12, 4), 0, HOLIDAYS) == date(2026, 12, 4)
    assert not is_working_day(date(2026, 12, 25), HOLIDAYS)
    with pytest.raises(ValueError):
        add_working_days(date(2026, 12, 4), -1, HOLIDAYS)


def test_the_office_day_follows_its_province_time_zone() -> None:
    late_evening_utc = datetime(2026, 11, 29, 16, 30, tzinfo=UTC)
    assert local_now("3273", late_evening_utc).date() == date(2026, 11, 29)  # WIB 23:30
    assert local_now("7371", late_evening_utc).date() == date(2026, 11, 30)  # WITA 00:30
    assert local_now("9171", late_evening_utc).date() == date(2026, 11, 30)  # WIT
    assert time_zone_of("6171") == "Asia/Pontianak"


def _case() -> Case:
    return Case(
        id=uuid4(),
        client_id=uuid4(),
        region_code="3273",
        title="Rekening tabungan",
        status="open",
        assigned_to="siti",
        opened_by="siti",
        opened_at=NOW,
    )


def test_a_closed_case_is_reopened_before_anything_else() -> None:
    case = _case()
    case.move_to("in_progress", NOW)
    case.move_to("closed", NOW)
    assert case.closed_at == NOW and [type(e).__name__ for e in case.events] == ["CaseClosed"]
    with pytest.raises(IllegalTransition):
        case.move_to("in_progress", NOW)
    with pytest.raises(IllegalTransition):
        case.assign("budi")
    assert case.move_to("open", NOW)
    assert (case.status, case.closed_at) == ("open", None)
    assert [type(e).__name__ for e in case.events] == ["CaseClosed", "CaseReopened"]
    assert not case.move_to("open", NOW)  # already open: nothing to write


def _task(kind: str | None = None) -> Task:
    return Task(uuid4(), uuid4(), "Telepon", date(2026, 12, 1), "siti", NOW, kind=kind)


def test_a_task_is_completed_once_with_its_outcome() -> None:
    task = _task()
    with pytest.raises(InvalidClient) as empty:
        task.complete(by="siti", now=NOW, outcome="  ", answers={})
    assert empty.value.field == "outcome" and task.done_at is None
    task.complete(by="siti", now=NOW, outcome=" Sudah datang ", answers={})
    assert (task.done_at, task.done_by, task.outcome) == (NOW, "siti", "Sudah datang")
    assert not task.overdue(date(2027, 1, 1)) and task.account_follow_up is None
    assert task.asks == ()
    with pytest.raises(IllegalTransition):
        task.complete(by="rina", now=NOW, outcome="lagi", answers={})
    assert task.done_by == "siti"


@pytest.mark.parametrize(
    ("kind", "answers", "missing"),
    [
        ("account_follow_up_30", {"account_in_use": True}, "account_in_own_name"),
        ("account_follow_up_30", {"account_in_own_name": True}, "account_in_use"),
        ("account_follow_up_90", {"account_in_own_name": True}, "account_in_use"),
        (None, {"account_in_use": True}, "account_in_use"),
        (
            "account_follow_up_90",
            {"account_in_use": True, "account_in_own_name": False},
            "account_in_own_name",
        ),
    ],
)
def test_an_account_follow_up_takes_exactly_the_answers_it_asks(
    kind: str | None, answers: dict[str, bool | None], missing: str
) -> None:
    task = _task(kind)
    with pytest.raises(InvalidClient) as refused:
        task.complete(by="siti", now=NOW, outcome="Ditelepon", answers=answers)
    assert refused.value.field == missing and task.done_at is None


def test_follow_up_answers_are_kept_with_the_task() -> None:
    thirty, ninety = _task("account_follow_up_30"), _task("account_follow_up_90")
    thirty.complete(
        by="siti",
        now=NOW,
        outcome="Rekening atas nama sendiri",
        answers={"account_in_own_name": True, "account_in_use": False},
    )
    ninety.complete(by="siti", now=NOW, outcome="Masih dipakai", answers={"account_in_use": True})
    assert (thirty.account_follow_up.days, thirty.account_in_own_name, thirty.account_in_use) == (
        30,
        True,
        False,
    )
    assert (ninety.account_follow_up.days, ninety.account_in_own_name, ninety.account_in_use) == (
        90,
        None,
        True,
    )
    assert (thirty.asks, ninety.asks) == (
        ("account_in_own_name", "account_in_use"),
        ("account_in_use",),
    )


def test_reassigning_to_the_same_officer_records_nothing() -> None:
    case = _case()
    case.assign("siti")
    assert case.events == []
    case.assign("rudi")
    assert case.assigned_to == "rudi" and len(case.events) == 1


def test_moving_a_case_to_the_status_it_has_changes_nothing() -> None:
    case = _case()
    assert case.move_to("in_progress", NOW)
    assert not case.move_to("in_progress", NOW)
    assert case.version == 2 and case.status == "in_progress"


def test_a_task_is_overdue_only_after_its_day_and_while_open() -> None:
    task = Task(uuid4(), uuid4(), "Cek rekening", date(2026, 12, 1), "siti", NOW)
    assert not task.overdue(date(2026, 12, 1))
    assert task.overdue(date(2026, 12, 2))
    task.done_at = NOW
    assert not task.overdue(date(2026, 12, 2))


class _Directory:
    def __init__(self, *officers: Officer, readable: bool = True) -> None:
        self.listed = list(officers)
        self.readable = readable

    async def officers(self) -> list[Officer] | None:
        return self.listed if self.readable else None


async def test_a_supervisor_can_give_cases_to_officers_who_never_signed_in() -> None:
    from client.service_layer import cases

    from .fakes import FakeUnitOfWork

    uow = FakeUnitOfWork()
    uow.staff.rows = {"rina-id": ("rina", "32"), "siti-id": ("siti", "3273")}
    uow.staff.rows["stale-id"] = ("siti", "3273")  # a sign-in of an account since replaced
    directory = _Directory(
        Officer("dewi-id", "dewi", "3204"),  # never signed in to the portal
        Officer("rina-id", "rina", "32"),
        Officer("siti-id", "siti", "3273"),
        Officer("budi-id", "budi", "3578"),  # another province
    )
    rina = Principal("rina-id", "rina", "officer-portal", frozenset({"supervisor"}), "32", None)
    people = await cases.staff_of(rina, uow, directory)  # type: ignore[arg-type]
    assert [(p["subject"], p["region_code"]) for p in people] == [
        ("dewi-id", "3204"),
        ("rina-id", "32"),
        ("siti-id", "3273"),
    ]
    # Keycloak never answered: those who signed in to the portal, as before
    away = await cases.staff_of(rina, uow, _Directory(readable=False))  # type: ignore[arg-type]
    assert {p["subject"] for p in away} == {"rina-id", "siti-id", "stale-id"}
