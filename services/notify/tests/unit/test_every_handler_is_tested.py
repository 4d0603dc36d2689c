"""Every command on notify's bus and every event type in its worker's reaction table has a
test.

Read from the tables themselves (`bus.COMMAND_HANDLERS`, `reactions.routing`), not from a
list kept here: a handler or a reaction added without a test fails this. A message counts
as tested when a test module of this folder that sends messages (`bus.handle(...)` or
`deliver(...)`) names its class: the command, or the contract of the event type.
"""

from __future__ import annotations

from typing import Any

from notify.service_layer.bus import COMMAND_HANDLERS, message_bus
from notify.service_layer.reactions import routing
from shared.contracts import registry
from support.handler_tests import untested


class NoKeys:
    async def prefetch(self, client_ids: Any) -> None:
        pass

    async def open(self, client_id: Any, sealed: str) -> None:
        return None

    def forget(self, client_id: Any) -> None:
        pass


def test_every_command_and_every_consumed_event_type_has_a_test() -> None:
    contracts = registry()
    table = routing(NoKeys())
    bus = message_bus(None, None)  # type: ignore[arg-type]
    consumed = {
        contracts[kind]: reaction
        for reactions in table.values()
        for kind, reaction in reactions.items()
    }
    missing = untested(
        {"command": COMMAND_HANDLERS, "bus reaction": bus.events, "reaction": consumed}, __file__
    )
    assert not missing, f"no test sends the message of: {', '.join(missing)}"
    assert COMMAND_HANDLERS and sum(map(len, table.values())) >= 20  # the tables were read
    assert set(bus.commands) == set(COMMAND_HANDLERS)
