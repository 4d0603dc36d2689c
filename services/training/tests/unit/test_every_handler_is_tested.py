"""Every command handler and every reaction on training's bus has a test.

Read from the bus's own tables, not from a list kept here: a handler added to the bus without
a test fails this. A message counts as tested when a test module of this folder that sends
messages (`bus.handle(...)` or `deliver(...)`) names its class, as the tests above do when
they build the command or the event they send.
"""

from __future__ import annotations

from support.handler_tests import untested
from training.service_layer.bus import COMMAND_HANDLERS
from training.service_layer.reactions import REACTIONS


def test_every_command_handler_and_reaction_has_a_test() -> None:
    tables = {"command": COMMAND_HANDLERS, "reaction": REACTIONS}
    missing = untested(tables, __file__)
    assert not missing, f"no test sends the message of: {', '.join(missing)}"
    assert COMMAND_HANDLERS and REACTIONS  # the tables were read
