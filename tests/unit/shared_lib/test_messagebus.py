"""The message bus: commands to their handlers with a fresh unit of work and their
dependencies; events decoded once and handed to reactions in the inbox's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import uuid4

import pytest

from shared.contracts import client as client_contracts
from shared.messagebus import Command, MessageBus, UnknownMessage
from shared.messaging.envelope import Envelope


@dataclass(frozen=True)
class Greet(Command[str]):
    name: str


class Uow:
    def __init__(self, session: Any = None) -> None:
        self.session = session


NOON = datetime(2026, 12, 7, 12)


async def greet(command: Greet, uow: Uow, clock: Any) -> str:
    return f"{command.name} at {clock().hour}"


async def test_a_command_reaches_its_handler_with_its_dependencies() -> None:
    bus = MessageBus(commands={Greet: greet}, uow=Uow, dependencies={"clock": lambda: NOON})
    assert await bus.handle(Greet("Siti")) == "Siti at 12"


def test_a_handler_whose_dependency_nobody_gives_fails_at_start_up() -> None:
    with pytest.raises(TypeError, match="clock"):
        MessageBus(commands={Greet: greet}, uow=Uow)


async def test_an_unknown_command_is_a_wiring_mistake() -> None:
    with pytest.raises(UnknownMessage):
        await MessageBus(uow=Uow).handle(Greet("Siti"))


async def test_an_event_is_decoded_once_and_handled_in_the_given_session() -> None:
    seen: list[tuple[Any, Any]] = []

    async def erased(event: client_contracts.ClientErased, uow: Uow) -> None:
        seen.append((event, uow.session))

    bus = MessageBus(events={client_contracts.ClientErased: erased}, joining=Uow)
    tables = bus.consumer_tables()
    assert list(tables) == [client_contracts.TOPIC]
    handler = tables[client_contracts.TOPIC][client_contracts.ClientErased.TYPE]
    example = client_contracts.ClientErased.EXAMPLE
    envelope = Envelope(
        type=client_contracts.ClientErased.TYPE, source="/c", subject="s", key="k", data=example
    )
    session: Any = object()
    await handler(session, envelope)
    [(event, given)] = seen
    assert isinstance(event, client_contracts.ClientErased) and given is session
    assert event == client_contracts.ClientErased.model_validate(example)


def test_only_registered_contracts_may_be_consumed() -> None:
    class Stray(client_contracts.ClientErased):
        TYPE = f"jembatan.stray.{uuid4().hex}.v1"

    async def react(event: Any, uow: Uow) -> None:
        pass

    with pytest.raises(UnknownMessage):
        MessageBus(events={Stray: react}, joining=Uow)
