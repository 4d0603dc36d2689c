"""Every command on notify's bus and every event type in its worker's reaction table has a
test.

Read from the tables themselves (`bus.COMMAND_HANDLERS`, `reactions.routing`), not from a
list kept here: a handler or a reaction added without a test fails this. A message counts
as tested when a test module of this folder that sends messages (`bus.handle(...)` or
`deliver(...)`) names its class: the command, or the contract of the event type.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from notify.service_layer.bus import COMMAND_HANDLERS, message_bus
from notify.service_layer.reactions import routing
from shared.contracts import registry

HERE = Path(__file__).parent


class NoKeys:
    async def prefetch(self, client_ids: Any) -> None:
        pass

    async def open(self, client_id: Any, sealed: str) -> None:
        return None

    def forget(self, client_id: Any) -> None:
        pass


def _named_in_tests_that_send() -> set[str]:
    named: set[str] = set()
    for path in HERE.glob("test_*.py"):
        if path.name == Path(__file__).name:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = {
            node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name)
        }
        if not calls & {"handle", "deliver"}:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                named.add(node.attr)
            elif isinstance(node, ast.Name):
                named.add(node.id)
    return named


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
