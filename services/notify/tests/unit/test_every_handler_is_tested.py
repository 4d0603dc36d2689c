"""Every command on notify's bus and every event type in its worker's reaction table has a
test.

Read from the tables themselves (`bus.COMMAND_HANDLERS`, `reactions.routing`), not from a
list kept here: a handler or a reaction added without a test fails this. A message counts
as tested when a test module of this folder that sends messages (`bus.handle(...)` or
`deliver(...)`) names its class: the command, or the contract of the event type.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from notify.service_layer.bus import COMMAND_HANDLERS, message_bus
from notify.service_layer.reactions import routing
from shared.contracts import registry
from support.handler_tests import names_in_tests_that_send

HERE = Path(__file__).parent


class NoKeys:
    async def prefetch(self, client_ids: Any) -> None:
        pass

    async def open(self, client_id: Any, sealed: str) -> None:
        return None

    def forget(self, client_id: Any) -> None:
        pass


def _named_in_tests_that_send() -> set[str]:
    return names_in_tests_that_send(HERE, besides=Path(__file__).name)


def test_every_command_and_every_consumed_event_type_has_a_test() -> None:
    named = _named_in_tests_that_send()
    contracts = registry()
    table = routing(NoKeys())
    bus = message_bus(None, None)  # type: ignore[arg-type]
    untested = [
        f"command {handler.__name__} ({command.__name__})"
        for command, handler in COMMAND_HANDLERS.items()
        if command.__name__ not in named
    ]
    untested += [
        f"bus reaction {handler.__name__} ({event.__name__})"
        for event, handler in bus.events.items()
        if event.__name__ not in named
    ]
    untested += [
        f"reaction {getattr(reaction, '__qualname__', reaction)} ({topic} {kind})"
        for topic, reactions in table.items()
        for kind, reaction in reactions.items()
        if contracts[kind].__name__ not in named
    ]
    assert not untested, f"no test sends the message of: {', '.join(untested)}"
    assert COMMAND_HANDLERS and sum(map(len, table.values())) >= 20  # the tables were read
    assert set(bus.commands) == set(COMMAND_HANDLERS)
