"""Every query handler and every reaction on indicators' bus has a test.

Read from the bus's own tables (the API's `COMMAND_HANDLERS`, the worker's `REACTIONS`), not
from a list kept here: a handler or an event type added without a test fails this. A message
counts as tested when a test module of this folder that sends messages (`bus.handle(...)`,
`.handle(...)` or `deliver(...)`) names its class, as the tests do when they build the query
or the event they send.
"""

from __future__ import annotations

import ast
from pathlib import Path

from indicators.service_layer.bus import COMMAND_HANDLERS
from indicators.service_layer.projections import REACTIONS

HERE = Path(__file__).parent


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


def test_every_query_handler_and_reaction_has_a_test() -> None:
    named = _named_in_tests_that_send()
    tables = {"query": COMMAND_HANDLERS, "reaction": REACTIONS}
    untested = [
        f"{kind} {handler.__name__} ({message.__name__})"
        for kind, table in tables.items()
        for message, handler in table.items()
        if message.__name__ not in named
    ]
    assert not untested, f"no test sends the message of: {', '.join(untested)}"
    assert COMMAND_HANDLERS and REACTIONS  # the tables were read
