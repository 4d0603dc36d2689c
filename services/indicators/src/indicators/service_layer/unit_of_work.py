"""The indicators' unit of work: the read model, written by the projections and read by the
query, and no outbox.

Indicators publishes nothing: `translate` is the base's, which yields nothing, so a commit
writes no outbox row and the base never asks for an outbox table. The reactions work in a
unit of work joined to the inbox's transaction (`IndicatorsUnitOfWork.joining`), whose
owner commits; the query in one of its own, read-only. The repositories are typed by what
the service layer asks of them, so a test puts an in-memory read model in their place
(tests/unit/indicators_fakes.py).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from indicators.adapters.read_model import (
    AnsweredFollowUp,
    AskedErasure,
    CompletedTraining,
    CountedClient,
    ReadModelWriter,
    ReferralProgress,
    ReferralStep,
    SentReferral,
)
from indicators.adapters.repository import ReadModel
from indicators.domain.erasures import ErasureRow
from indicators.domain.follow_ups import FollowUpRow
from indicators.domain.report import ClientRow, ReferralRow, TrainingRow
from shared.unit_of_work import UnitOfWork


class Projection(Protocol):
    """What the reactions write (adapters/read_model.py)."""

    async def count_client(self, client: CountedClient) -> None: ...
    async def forget_client(self, client_id: UUID) -> None: ...
    async def keep_follow_up(self, answered: AnsweredFollowUp) -> None: ...
    async def add_referral(self, referral: SentReferral) -> None: ...
    async def referral_progress(self, referral_id: UUID) -> ReferralProgress | None: ...
    async def advance_referral(self, referral_id: UUID, step: ReferralStep) -> None: ...
    async def ask_erasure(self, erasure: AskedErasure) -> None: ...
    async def confirm_erasure(
        self, erasure: AskedErasure, confirmed_at: datetime, in_time: bool
    ) -> None: ...
    async def erasure_overdue(self, erasure: AskedErasure) -> None: ...
    async def add_training(self, training: CompletedTraining) -> None: ...


class Figures(Protocol):
    """What the query reads of one month in an area (adapters/repository.py)."""

    async def clients(self, month: str, within: str) -> list[ClientRow]: ...
    async def referrals(self, month: str, within: str) -> list[ReferralRow]: ...
    async def trainings(self, month: str, within: str) -> list[TrainingRow]: ...
    async def erasures(self, month: str, within: str) -> list[ErasureRow]: ...
    async def follow_ups(self, month: str, within: str, today: date) -> list[FollowUpRow]: ...


class IndicatorsUnitOfWork(UnitOfWork):
    projection: Projection
    figures: Figures

    def bind(self, session: AsyncSession) -> None:
        self.projection = ReadModelWriter(session)
        self.figures = ReadModel(session)
