"""No command or reaction on referral's bus goes untested.

The tables are read from the bus itself, so adding a handler without a test fails here. A
message counts as tested when some test module in this folder both sends messages (it calls
`.handle(...)` or `deliver(...)`) and names the message's class.
"""

from __future__ import annotations

from referral.service_layer.bus import COMMAND_HANDLERS
from referral.service_layer.reactions import REACTIONS
from support.handler_tests import untested


def test_each_command_and_reaction_on_the_bus_is_sent_by_a_test() -> None:
    assert COMMAND_HANDLERS and REACTIONS, "the bus's tables were not read"
    missing = untested({"command": COMMAND_HANDLERS, "reaction": REACTIONS}, __file__)
    assert not missing, "no test sends the message of: " + ", ".join(missing)
