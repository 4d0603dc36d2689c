"""Every query handler and every reaction on indicators' bus has a test.

Read from the bus's own tables (the API's `COMMAND_HANDLERS`, the worker's `REACTIONS`), not
from a list kept here: a handler or an event type added without a test fails this. A message
counts as tested when a test module of this folder that sends messages (`bus.handle(...)`,
`.handle(...)` or `deliver(...)`) names its class, as the tests do when they build the query
or the event they send.
"""

from __future__ import annotations

from indicators.service_layer.bus import COMMAND_HANDLERS
from indicators.service_layer.projections import REACTIONS
from support.handler_tests import untested


def test_every_query_handler_and_reaction_has_a_test() -> None:
    tables = {"query": COMMAND_HANDLERS, "reaction": REACTIONS}
    missing = untested(tables, __file__)
    assert not missing, f"no test sends the message of: {', '.join(missing)}"
    assert COMMAND_HANDLERS and REACTIONS  # the tables were read
