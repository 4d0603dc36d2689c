"""Indicators' unit of work on the shared base, with no outbox: a commit writes nothing but
the transaction, since indicators publishes nothing, and a joined one leaves the commit to
the inbox's owner."""

from __future__ import annotations

from typing import Any

from indicators.adapters.read_model import ReadModelWriter
from indicators.adapters.repository import ReadModel
from indicators.service_layer.unit_of_work import IndicatorsUnitOfWork
from support.sessions import StubSession


async def test_a_commit_needs_no_outbox() -> None:
    session = StubSession()
    uow = IndicatorsUnitOfWork(lambda: session)  # type: ignore[arg-type, return-value]
    assert not hasattr(IndicatorsUnitOfWork, "outbox")
    async with uow:
        assert isinstance(uow.projection, ReadModelWriter)
        assert isinstance(uow.figures, ReadModel)
        await uow.commit()
    assert session.calls == ["begin", "commit", "close"]


async def test_a_read_rolls_back_and_a_joined_unit_leaves_the_transaction_to_its_owner() -> None:
    read, inbox = StubSession(), StubSession()
    async with IndicatorsUnitOfWork(lambda: read):  # type: ignore[arg-type, return-value]
        pass
    assert read.calls == ["begin", "rollback", "close"]
    joined: Any = inbox
    async with IndicatorsUnitOfWork.joining(joined) as uow:
        await uow.commit()
    assert inbox.calls == []
