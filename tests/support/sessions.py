"""A stand-in for an SQLAlchemy session in unit-of-work tests: what the unit of work asks of a
session (begin, commit, rollback, close), and a record of the calls."""

from __future__ import annotations

from typing import Any


class StubSession:
    def __init__(self) -> None:
        self.calls: list[str] = []
        self.open = False

    async def begin(self) -> None:
        self.calls.append("begin")
        self.open = True

    async def commit(self) -> None:
        self.calls.append("commit")
        self.open = False

    async def rollback(self) -> None:
        self.calls.append("rollback")
        self.open = False

    async def close(self) -> None:
        self.calls.append("close")

    def in_transaction(self) -> bool:
        return self.open

    async def execute(self, statement: Any) -> None:
        raise AssertionError("this test expects no statement")
