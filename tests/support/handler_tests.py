"""Which messages a service's handler tests send: the check behind each service's
`test_every_handler_is_tested.py`.

A message counts as tested when a test module that sends messages (it calls `handle(...)` or
`deliver(...)`) names its class, as a test does when it builds the command or the event it
sends. Read from the test sources, so a handler added to a bus without a test is caught
however the tests are written.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path
from typing import Any

SENDING_CALLS = frozenset({"handle", "deliver"})


def _called(tree: ast.AST) -> set[str]:
    return {
        node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name)
    }


def _named(tree: ast.AST) -> set[str]:
    return {
        node.attr if isinstance(node, ast.Attribute) else node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute | ast.Name)
    }


def names_in_tests_that_send(folder: Path, *, besides: str) -> set[str]:
    """Every name used in the test modules of `folder` that send messages, `besides` the
    checking module itself."""
    named: set[str] = set()
    for path in sorted(folder.glob("test_*.py")):
        if path.name == besides:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if _called(tree) & SENDING_CALLS:
            named |= _named(tree)
    return named


def untested(tables: Mapping[str, Mapping[type, Any]], test_file: str) -> list[str]:
    """The handlers of `tables` (kind → message class → handler) whose message no test of
    `test_file`'s folder sends, one line each."""
    here = Path(test_file)
    named = names_in_tests_that_send(here.parent, besides=here.name)
    return [
        f"{kind} {getattr(handler, '__name__', handler)} ({message.__name__})"
        for kind, table in tables.items()
        for message, handler in table.items()
        if message.__name__ not in named
    ]
