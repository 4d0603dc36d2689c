"""Writing the read model: what the projections keep of each event, one statement each.

Every write is keyed by the id of what it describes (client, referral, completion, erasure,
follow-up), so an event applied twice changes nothing (besides the inbox, which already skips
it). The rows are plain dataclasses, so the service layer decides what goes in them and a test
keeps them in memory (tests/unit/indicators_fakes.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from uuid import UUID

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from indicators.adapters import orm


@dataclass(frozen=True)
class CountedClient:
    """A registration as counted: categories only, never the values they come from."""

    client_id: UUID
    region_code: str
    kind: str
    sex: str
    age_band: str
    disability: bool
    month: str  # YYYY-MM of registration, in the region's zone


@dataclass(frozen=True)
class SentReferral:
    referral_id: UUID
    client_id: UUID
    region_code: str
    partner_code: str
    partner_kind: str
    product_code: str
    state: str
    state_rank: int
    month: str  # YYYY-MM sent, in the region's zone
    sent_on: str  # ISO day sent, in the region's zone
    updated_at: datetime


@dataclass(frozen=True)
class ReferralProgress:
    """Where a referral stands, read under a lock before it moves on."""

    sent_on: str
    state_rank: int


@dataclass(frozen=True)
class ReferralStep:
    """A referral's move to a further state; a `None` leaves its column as it is."""

    state: str
    state_rank: int
    updated_at: datetime
    outcome: str | None = None
    working_days_to_outcome: int | None = None
    working_days_to_acknowledge: int | None = None

    def changes(self) -> dict[str, object]:
        return {name: value for name, value in asdict(self).items() if value is not None}


@dataclass(frozen=True)
class AskedErasure:
    """An erasure asked of a partner, counted in the month it was asked."""

    referral_id: UUID
    region_code: str
    partner_kind: str
    month: str
    erase_by: datetime


@dataclass(frozen=True)
class AnsweredFollowUp:
    task_id: UUID
    client_id: UUID
    region_code: str
    days: int
    due_on: date
    month: str  # YYYY-MM of due_on
    account_in_own_name: bool | None
    account_in_use: bool
    answered_at: datetime


@dataclass(frozen=True)
class CompletedTraining:
    session_id: UUID
    client_id: UUID
    region_code: str
    programme_code: str
    knowledge_gain: int | None
    month: str  # YYYY-MM of completion, in the region's zone


class ReadModelWriter:
    """The projections' writes, on the inbox transaction's session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def count_client(self, client: CountedClient) -> None:
        """The first count of a client stands."""
        await self._session.execute(
            insert(orm.clients).values(**asdict(client)).on_conflict_do_nothing()
        )

    async def forget_client(self, client_id: UUID) -> None:
        await self._session.execute(delete(orm.clients).where(orm.clients.c.client_id == client_id))

    async def keep_follow_up(self, answered: AnsweredFollowUp) -> None:
        """The latest answers to a follow-up replace the earlier ones."""
        table = orm.follow_ups
        answers = asdict(answered)
        del answers["task_id"]
        await self._session.execute(
            insert(table)
            .values(task_id=answered.task_id, **answers)
            .on_conflict_do_update(index_elements=[table.c.task_id], set_=answers)
        )

    async def add_referral(self, referral: SentReferral) -> None:
        await self._session.execute(
            insert(orm.referrals).values(**asdict(referral)).on_conflict_do_nothing()
        )

    async def referral_progress(self, referral_id: UUID) -> ReferralProgress | None:
        """The referral's day sent and rank, locked until the transaction ends."""
        table = orm.referrals
        row = (
            await self._session.execute(
                select(table.c.sent_on, table.c.state_rank)
                .where(table.c.referral_id == referral_id)
                .with_for_update()
            )
        ).first()
        return None if row is None else ReferralProgress(row.sent_on, row.state_rank)

    async def advance_referral(self, referral_id: UUID, step: ReferralStep) -> None:
        table = orm.referrals
        await self._session.execute(
            update(table).where(table.c.referral_id == referral_id).values(**step.changes())
        )

    async def ask_erasure(self, erasure: AskedErasure) -> None:
        await self._session.execute(
            insert(orm.erasures).values(**asdict(erasure)).on_conflict_do_nothing()
        )

    async def confirm_erasure(
        self, erasure: AskedErasure, confirmed_at: datetime, in_time: bool
    ) -> None:
        """The first confirmation stands (as it does for the referral service)."""
        table = orm.erasures
        confirmed = {"confirmed_at": confirmed_at, "in_time": in_time}
        await self._session.execute(
            insert(table)
            .values(**asdict(erasure), **confirmed)
            .on_conflict_do_update(
                index_elements=[table.c.referral_id],
                set_=confirmed,
                where=table.c.confirmed_at.is_(None),
            )
        )

    async def erasure_overdue(self, erasure: AskedErasure) -> None:
        table = orm.erasures
        await self._session.execute(
            insert(table)
            .values(**asdict(erasure), overdue=True)
            .on_conflict_do_update(index_elements=[table.c.referral_id], set_={"overdue": True})
        )

    async def add_training(self, training: CompletedTraining) -> None:
        await self._session.execute(
            insert(orm.trainings).values(**asdict(training)).on_conflict_do_nothing()
        )
