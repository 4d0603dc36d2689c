"""Programmes and sessions through the bus, on the fake unit of work: what is stored, what is
answered, what would go to the outbox."""

from __future__ import annotations

from datetime import date, datetime
from uuid import uuid4

import pytest
from training_fakes import FakeTrainingUow
from training_scenario import (
    BUDI,
    DAYS,
    EKO,
    NOW,
    SITI,
    STARTS,
    WIB,
    bus_over,
    programme,
    session,
    types,
)

from shared.contracts import training as contracts
from shared.errors import Conflict, InvalidField, NotFound
from training.service_layer import commands


async def test_put_programme_stores_it_with_its_rule_and_announces_nothing() -> None:
    uow = FakeTrainingUow()
    await programme(bus_over(uow))
    stored = uow.programmes.rows["qris-umkm"]  # type: ignore[attr-defined]
    assert stored.rule.min_attendance == 0.5 and stored.rule.min_post_score == 70
    assert uow.commits == 1 and uow.published == []


async def test_list_programmes_by_title() -> None:
    uow = FakeTrainingUow()
    bus = bus_over(uow)
    await programme(bus, "b-code")
    await bus.handle(commands.PutProgramme("a-code", "Akuntansi", ("x",), 2, "both", "id", 80, 70))
    found = await bus.handle(commands.ListProgrammes())
    assert [p["code"] for p in found] == ["a-code", "b-code"]


async def test_schedule_session_stores_it_and_announces_it_by_its_id() -> None:
    uow = FakeTrainingUow()
    session_id = await session(bus_over(uow))
    [(topic, envelope)] = uow.published
    assert topic == contracts.TOPIC and envelope.type == contracts.SessionScheduled.TYPE
    assert envelope.key == str(session_id) and envelope.subject == f"session/{session_id}"
    assert envelope.source == contracts.SOURCE
    data = contracts.SessionScheduled.model_validate(envelope.data)
    assert data.programme_title == "QRIS untuk UMKM" and data.days == list(DAYS)
    assert uow.training_sessions.rows[session_id].capacity == 10  # type: ignore[attr-defined]


async def test_schedule_session_refuses_another_region_and_an_unknown_programme() -> None:
    uow = FakeTrainingUow()
    bus = bus_over(uow)
    code = await programme(bus)

    def plan(region: str, programme_code: str) -> commands.ScheduleSession:
        return commands.ScheduleSession(
            SITI, programme_code, region, DAYS, STARTS, "t", 5, "Aula", None
        )

    with pytest.raises(InvalidField) as outside:
        await bus.handle(plan("3578", code))
    assert outside.value.field == "region_code"
    with pytest.raises(InvalidField) as unknown:
        await bus.handle(plan("3273", "nothing-here"))
    assert unknown.value.field == "programme_code"
    with pytest.raises(InvalidField) as off_day:
        await bus.handle(
            commands.ScheduleSession(
                SITI, code, "3273", DAYS, STARTS.replace(day=8), "t", 5, "Aula", None
            )
        )
    assert off_day.value.field == "starts_at"
    assert uow.training_sessions.rows == {} and uow.published == []  # type: ignore[attr-defined]


async def test_list_sessions_pages_by_start_within_the_region() -> None:
    uow = FakeTrainingUow()
    bus = bus_over(uow)
    first, second = await session(bus), await session(bus)
    await session(bus, region_code="3578")  # another region: never listed
    page = await bus.handle(commands.ListSessions(SITI, date(2026, 12, 1), 1, None))
    assert len(page.rows) == 1 and page.next_cursor is not None
    rest = await bus.handle(commands.ListSessions(SITI, None, 5, page.next_cursor))
    assert {page.rows[0]["id"], *(r["id"] for r in rest.rows)} == {first, second}
    assert rest.next_cursor is None
    with pytest.raises(InvalidField) as bad:
        await bus.handle(commands.ListSessions(SITI, None, 5, "not-a-cursor"))
    assert bad.value.field == "cursor"


async def test_view_session_within_the_region_only() -> None:
    uow = FakeTrainingUow()
    bus = bus_over(uow)
    session_id = await session(bus)
    seen = await bus.handle(commands.ViewSession(SITI, session_id))
    assert seen.programme_title == "QRIS untuk UMKM"
    with pytest.raises(NotFound, match=r"No such session\."):
        await bus.handle(commands.ViewSession(EKO, session_id))


async def test_reschedule_session_moves_it_and_announces_the_change() -> None:
    uow = FakeTrainingUow()
    bus = bus_over(uow)
    session_id = await session(bus)
    types(uow)
    later = datetime(2026, 12, 14, 9, 0, tzinfo=WIB)
    moved = await bus.handle(
        commands.RescheduleSession(BUDI, session_id, (date(2026, 12, 14),), later, None, None)
    )
    assert moved.days == (date(2026, 12, 14),)
    stored = uow.training_sessions.rows[session_id]  # type: ignore[attr-defined]
    assert stored.starts_at == later and stored.venue == "Aula Kelurahan Sukasari"
    assert types(uow) == ["training.session_changed"]
    with pytest.raises(NotFound):
        await bus.handle(commands.RescheduleSession(EKO, session_id, DAYS, STARTS, None, None))


async def test_cancel_session_announces_it_once_and_then_refuses_changes() -> None:
    uow = FakeTrainingUow()
    bus = bus_over(uow)
    session_id = await session(bus)
    types(uow)
    await bus.handle(commands.CancelSession(SITI, session_id))
    await bus.handle(commands.CancelSession(SITI, session_id))
    [(_, envelope)] = uow.published
    data = contracts.SessionCancelled.model_validate(envelope.data)
    assert data.cancelled_at == NOW and data.session_id == session_id
    with pytest.raises(Conflict) as refused:
        await bus.handle(commands.RescheduleSession(SITI, session_id, DAYS, STARTS, None, None))
    assert refused.value.reason == "session-cancelled"
    with pytest.raises(NotFound, match=r"No such session\."):
        await bus.handle(commands.CancelSession(SITI, uuid4()))
