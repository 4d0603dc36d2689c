"""Indicators' unit of work on the shared base, with no outbox: a commit writes nothing but
the transaction, since indicators publishes nothing, and a joined one leaves the commit to
the inbox's owner."""

from __future__ import annotations

from typing import Any

from indicators.adapters.read_model import ReadModelWriter
from indicators.adapters.repository import ReadModel
from indicators.service_layer.unit_of_work import IndicatorsUnitOfWork


class _Session:
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
        raise AssertionError("nothing is written at commit: there is no outbox")


async def test_a_commit_needs_no_outbox() -> None:
    session = _Session()
    uow = IndicatorsUnitOfWork(lambda: session)  # type: ignore[arg-type, return-value]
    assert not hasattr(IndicatorsUnitOfWork, "outbox")
    async with uow:
        assert isinstance(uow.projection, ReadModelWriter)
        assert isinstance(uow.figures, ReadModel)
        await uow.commit()
    assert session.calls == ["begin", "commit", "close"]


async def test_a_read_rolls_back_and_a_joined_unit_leaves_the_transaction_to_its_owner() -> None:
    read, inbox = _Session(), _Session()
    async with IndicatorsUnitOfWork(lambda: read):  # type: ignore[arg-type, return-value]
        pass
    assert read.calls == ["begin", "rollback", "close"]
    joined: Any = inbox
    async with IndicatorsUnitOfWork.joining(joined) as uow:
        await uow.commit()
    assert inbox.calls == []
