"""No command or reaction on referral's bus goes untested.

The tables are read from the bus itself, so adding a handler without a test fails here. A
message counts as tested when some test module in this folder both sends messages (it calls
`.handle(...)` or `deliver(...)`) and names the message's class.
"""

from __future__ import annotations

import ast
from pathlib import Path

from referral.service_layer.bus import COMMAND_HANDLERS
from referral.service_layer.reactions import REACTIONS

FOLDER = Path(__file__).parent


def _names_in(tree: ast.AST) -> set[str]:
    return {
        node.attr if isinstance(node, ast.Attribute) else node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute | ast.Name)
    }


def _sends(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            called = node.func
            name = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", "")
            if name in ("handle", "deliver"):
                return True
    return False


def _tested_messages() -> set[str]:
    named: set[str] = set()
    for module in sorted(FOLDER.glob("test_*.py")):
        if module.name == Path(__file__).name:
            continue
        tree = ast.parse(module.read_text(encoding="utf-8"))
        if _sends(tree):
            named |= _names_in(tree)
    return named


def test_each_command_and_reaction_on_the_bus_is_sent_by_a_test() -> None:
    assert COMMAND_HANDLERS and REACTIONS, "the bus's tables were not read"
    tested = _tested_messages()
    missing = [
        f"{handler.__name__} ({message.__name__})"
        for table in (COMMAND_HANDLERS, REACTIONS)
        for message, handler in table.items()
        if message.__name__ not in tested
    ]
    assert not missing, "no test sends the message of: " + ", ".join(missing)
