"""Reading the read model for one month and area: rows reduced to what aggregates need."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from indicators.adapters import orm
from indicators.domain.erasures import ErasureRow
from indicators.domain.follow_ups import FollowUpRow
from indicators.domain.report import ClientRow, ReferralRow, TrainingRow


class ReadModel:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def clients(self, month: str, within: str) -> list[ClientRow]:
        c = orm.clients
        rows = await self._session.execute(
            select(c.c.region_code, c.c.kind, c.c.sex, c.c.age_band, c.c.disability, func.count())
            .where(c.c.month == month, c.c.region_code.startswith(within))
            .group_by(c.c.region_code, c.c.kind, c.c.sex, c.c.age_band, c.c.disability)
        )
        return [ClientRow(*row) for row in rows]

    async def referrals(self, month: str, within: str) -> list[ReferralRow]:
        r, c = orm.referrals, orm.clients
        rows = await self._session.execute(
            select(
                r.c.region_code,
                r.c.partner_kind,
                r.c.product_code,
                r.c.state,
                r.c.outcome,
                r.c.working_days_to_outcome,
                c.c.sex,
                r.c.working_days_to_acknowledge,
            )
            .select_from(r.outerjoin(c, c.c.client_id == r.c.client_id))
            .where(r.c.month == month, r.c.region_code.startswith(within))
        )
        return [ReferralRow(*row) for row in rows]

    async def trainings(self, month: str, within: str) -> list[TrainingRow]:
        t = orm.trainings
        rows = await self._session.execute(
            select(t.c.region_code, t.c.knowledge_gain).where(
                t.c.month == month, t.c.region_code.startswith(within)
            )
        )
        return [TrainingRow(*row) for row in rows]

    async def erasures(self, month: str, within: str) -> list[ErasureRow]:
        e = orm.erasures
        rows = await self._session.execute(
            select(e.c.region_code, e.c.partner_kind, e.c.in_time, e.c.overdue).where(
                e.c.month == month, e.c.region_code.startswith(within)
            )
        )
        return [ErasureRow(*row) for row in rows]

    async def follow_ups(self, month: str, within: str, today: date) -> list[FollowUpRow]:
        """The month's answered follow-ups whose day has come by `today`, of counted clients."""
        f, c = orm.follow_ups, orm.clients
        rows = await self._session.execute(
            select(
                f.c.region_code,
                c.c.sex,
                f.c.days,
                f.c.due_on,
                f.c.account_in_own_name,
                f.c.account_in_use,
            )
            .select_from(f.join(c, c.c.client_id == f.c.client_id))
            .where(f.c.month == month, f.c.region_code.startswith(within), f.c.due_on <= today)
        )
        return [FollowUpRow(*row) for row in rows]
