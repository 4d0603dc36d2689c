"""The unit of work: one transaction, the tracked aggregates' events into the outbox inside it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import MetaData

from shared import unit_of_work
from shared.messaging.envelope import Envelope
from shared.messaging.outbox_table import outbox_table
from shared.unit_of_work import Published, RecordingUnitOfWork, UnitOfWork
from support.sessions import StubSession

OUTBOX = outbox_table(MetaData())


@dataclass
class Thing:
    name: str
    events: list[str] = field(default_factory=list)


class ThingsUow(UnitOfWork):
    outbox = OUTBOX

    def bind(self, session: Any) -> None:
        self.bound = session

    def translate(self, aggregate: Any, event: Any) -> Iterable[Published]:
        topic = "odd.events" if event.endswith("1") else "things.events"
        yield topic, Envelope(type=event, source="test", subject=aggregate.name, key="k", data={})


@pytest.fixture
def outbox(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[str]]]:
    written: list[tuple[str, list[str]]] = []

    async def add(session: Any, table: Any, topic: str, envelopes: Sequence[Envelope]) -> None:
        assert table is OUTBOX
        written.append((topic, [e.type for e in envelopes]))

    monkeypatch.setattr(unit_of_work, "add_to_outbox", add)
    return written


async def test_commit_writes_the_events_per_topic_then_commits(
    outbox: list[tuple[str, list[str]]],
) -> None:
    session = StubSession()
    a, b = Thing("a", ["e0", "e1"]), Thing("b", ["e2"])
    async with ThingsUow(lambda: session) as uow:  # type: ignore[arg-type]
        assert uow.bound is session
        uow.track(a)
        uow.track(b)
        uow.track(a)  # once is enough
        await uow.commit()
    assert outbox == [("things.events", ["e0", "e2"]), ("odd.events", ["e1"])]
    assert a.events == [] and b.events == []
    assert session.calls == ["begin", "commit", "close"]


async def test_leaving_without_a_commit_rolls_back(outbox: list[tuple[str, list[str]]]) -> None:
    session = StubSession()
    with pytest.raises(ValueError):
        async with ThingsUow(lambda: session) as uow:  # type: ignore[arg-type]
            uow.track(Thing("a", ["e0"]))
            raise ValueError
    assert session.calls == ["begin", "rollback", "close"] and outbox == []


async def test_a_joined_session_is_left_to_its_owner(outbox: list[tuple[str, list[str]]]) -> None:
    session = StubSession()
    session.open = True
    async with ThingsUow.joining(session) as uow:  # type: ignore[arg-type]
        uow.track(Thing("a", ["e0"]))
        await uow.commit()
    assert outbox == [("things.events", ["e0"])]
    assert session.calls == [] and session.open


async def test_a_recording_fake_keeps_what_would_be_published() -> None:
    class Fake(RecordingUnitOfWork, ThingsUow):
        pass

    fake = Fake()
    async with fake:
        fake.track(Thing("a", ["e0", "e1"]))
        await fake.commit()
    assert [(t, e.type) for t, e in fake.published] == [
        ("things.events", "e0"),
        ("odd.events", "e1"),
    ]
    assert fake.commits == 1


async def test_announced_events_come_first_and_the_filter_has_the_last_word() -> None:
    class Filtering(RecordingUnitOfWork, ThingsUow):
        async def publishable(self, events: list[Published]) -> list[Published]:
            return [(t, e) for t, e in events if t != "odd.events"]

    fake = Filtering()
    async with fake:
        fake.track(Thing("a", ["e0", "e1"]))
        fake.announce_to(
            "loose.events", [Envelope(type="x", source="t", subject="s", key="k", data={})]
        )
        await fake.commit()
    assert [(t, e.type) for t, e in fake.published] == [
        ("loose.events", "x"),
        ("things.events", "e0"),
    ]
    async with fake:  # a new use starts with nothing announced
        await fake.commit()
    assert len(fake.published) == 2 and fake.commits == 2


async def test_announced_events_go_first_in_the_order_announced(
    outbox: list[tuple[str, list[str]]],
) -> None:
    session = StubSession()

    def note(kind: str) -> Envelope:
        return Envelope(type=kind, source="test", subject="s", key="k", data={})

    async with ThingsUow(lambda: session) as uow:  # type: ignore[arg-type]
        uow.track(Thing("a", ["e0"]))
        uow.announce_to("notes", [note("n0"), note("n1")])
        uow.announce_to("things.events", [note("n2")])
        await uow.commit()
        await uow.commit()  # nothing is written twice
    assert outbox == [("notes", ["n0", "n1"]), ("things.events", ["n2", "e0"])]


async def test_prepare_sees_the_tracked_aggregates_before_they_are_translated(
    outbox: list[tuple[str, list[str]]],
) -> None:
    seen: list[list[str]] = []

    class Preparing(ThingsUow):
        async def prepare(self, tracked: Sequence[Any]) -> None:
            seen.append([f"{t.name}:{','.join(t.events)}" for t in tracked])

    async with Preparing(StubSession) as uow:  # type: ignore[arg-type]
        uow.track(Thing("a", ["e0"]))
        uow.track(Thing("b", ["e2"]))
        await uow.commit()
    assert seen == [["a:e0", "b:e2"]] and len(outbox) == 1


class Refused(Exception):
    pass


class FailingSession(StubSession):
    async def commit(self) -> None:
        raise RuntimeError("unique index")


async def test_a_failed_commit_becomes_the_error_the_service_names() -> None:
    class Naming(ThingsUow):
        def commit_error(self, error: Exception) -> Exception | None:
            return Refused() if "unique" in str(error) else None

    async with Naming(FailingSession) as uow:  # type: ignore[arg-type]
        with pytest.raises(Refused) as raised:
            await uow.commit()
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


async def test_a_failed_commit_is_raised_as_is_by_default() -> None:
    async with ThingsUow(FailingSession) as uow:  # type: ignore[arg-type]
        with pytest.raises(RuntimeError, match="unique index"):
            await uow.commit()


async def test_an_announced_event_is_translated_without_an_aggregate_after_the_tracked() -> None:
    class Announcing(RecordingUnitOfWork, ThingsUow):
        def translate(self, aggregate: Any, event: Any) -> Iterable[Published]:
            if aggregate is None:
                yield (
                    "loose.events",
                    Envelope(type=event, source="t", subject="-", key="k", data={}),
                )
            else:
                yield from super().translate(aggregate, event)

    fake = Announcing()
    async with fake:
        fake.announce_event("stop0")
        fake.track(Thing("a", ["e0"]))
        await fake.commit()
        await fake.commit()  # announced once, published once
    assert [(t, e.type) for t, e in fake.published] == [
        ("things.events", "e0"),
        ("loose.events", "stop0"),
    ]
    async with fake:
        pass
    assert fake.collect() == []
