"""Every command handler and every reaction on training's bus has a test.

Read from the bus's own tables, not from a list kept here: a handler added to the bus without
a test fails this. A message counts as tested when a test module of this folder that sends
messages (`bus.handle(...)` or `deliver(...)`) names its class, as the tests above do when
they build the command or the event they send.
"""

from __future__ import annotations

from pathlib import Path

from support.handler_tests import names_in_tests_that_send
from training.service_layer.bus import COMMAND_HANDLERS
from training.service_layer.reactions import REACTIONS

HERE = Path(__file__).parent


def _named_in_tests_that_send() -> set[str]:
    return names_in_tests_that_send(HERE, besides=Path(__file__).name)


def test_every_command_handler_and_reaction_has_a_test() -> None:
    named = _named_in_tests_that_send()
    tables = {"command": COMMAND_HANDLERS, "reaction": REACTIONS}
    untested = [
        f"{kind} {handler.__name__} ({message.__name__})"
        for kind, table in tables.items()
        for message, handler in table.items()
        if message.__name__ not in named
    ]
    assert not untested, f"no test sends the message of: {', '.join(untested)}"
    assert COMMAND_HANDLERS and REACTIONS  # the tables were read
