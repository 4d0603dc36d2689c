"""Every use case of the client service and every event its worker reacts to has a test here.

The use cases are found, not listed: each public coroutine of a `client.service_layer` module
that works through a unit of work (it takes `uow` or `uow_factory`). The reactions are the event
types of `reactions.REACTIONS`. Each test module of this folder declares in `COVERS` the
handlers (`module.function`) and event types its tests drive and check; a new handler or
reaction without a test fails here.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import client.service_layer
from client.service_layer.reactions import REACTIONS


def _handlers() -> set[str]:
    found = set()
    for info in pkgutil.iter_modules(client.service_layer.__path__):
        module = importlib.import_module(f"client.service_layer.{info.name}")
        for name, function in vars(module).items():
            if (
                name.startswith("_")
                or not inspect.iscoroutinefunction(function)
                or function.__module__ != module.__name__
            ):
                continue
            parameters = set(inspect.signature(function).parameters)
            if parameters & {"uow", "uow_factory"}:
                found.add(f"{info.name}.{name}")
    return found


def _reactions() -> set[str]:
    return {event_type for table in REACTIONS.values() for event_type in table}


def _covered() -> set[str]:
    covered: set[str] = set()
    for path in sorted(Path(__file__).parent.glob("test_*.py")):
        module = importlib.import_module(f".{path.stem}", __package__)
        covered |= set(getattr(module, "COVERS", ()))
    return covered


def test_the_enumeration_finds_the_use_cases_and_reactions() -> None:
    """A guard on the guard: the rules above still see what they are meant to."""
    handlers, reactions = _handlers(), _reactions()
    expected = {"handlers.register_client", "cases.reassign", "importing.import_sheet"}
    assert expected | {"import_jobs.enqueue", "import_jobs.run_next"} <= handlers
    assert "jembatan.notification.opted_out.v1" in reactions


def test_every_handler_and_every_reaction_has_a_test() -> None:
    covered = _covered()
    assert sorted(_handlers() - covered) == []
    assert sorted(_reactions() - covered) == []


def test_no_test_claims_to_cover_what_does_not_exist() -> None:
    assert sorted(_covered() - _handlers() - _reactions()) == []
