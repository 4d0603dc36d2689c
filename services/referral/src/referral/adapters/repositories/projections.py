"""Persistence of the client and consent projections (no NIK): what the client service
announced, kept for the consent gate, eligibility and the applicant a partner may read."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from referral.adapters import orm
from referral.domain.eligibility import Applicant
from shared.auth import RegionScope


@dataclasses.dataclass(frozen=True)
class LiveConsent:
    """A client's consent to a partner that is still in force, with what it covers."""

    consent_id: UUID
    scope: tuple[str, ...]
    granted_at: datetime


class Projections:
    """Client facts and consents, as the client service announced them."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def upsert_client(self, client_id: UUID, **facts: Any) -> None:
        await self._session.execute(
            pg_insert(orm.client_facts)
            .values(client_id=client_id, **facts)
            .on_conflict_do_update(index_elements=["client_id"], set_=facts)
        )

    async def set_restricted(self, client_id: UUID, restricted: bool) -> None:
        await self._session.execute(
            update(orm.client_facts)
            .where(orm.client_facts.c.client_id == client_id)
            .values(restricted=restricted)
        )

    async def set_region(self, client_id: UUID, region_code: str) -> None:
        await self._session.execute(
            update(orm.client_facts)
            .where(orm.client_facts.c.client_id == client_id)
            .values(region_code=region_code)
        )

    async def applicant(
        self, client_id: UUID, scope: RegionScope, *, lock: bool = False
    ) -> Applicant | None:
        """The client's facts; `lock` makes one client's referrals be sent one at a time."""
        query = select(orm.client_facts).where(
            orm.client_facts.c.client_id == client_id,
            scope.filter(orm.client_facts.c.region_code),
        )
        row = (await self._session.execute(query.with_for_update() if lock else query)).first()
        if row is None:
            return None
        completed = await self._session.execute(
            select(orm.completed_trainings.c.programme_code).where(
                orm.completed_trainings.c.client_id == client_id
            )
        )
        return Applicant(
            kind=row.kind,
            birth_date=row.birth_date,
            region_code=row.region_code,
            has_nib=row.has_nib,
            completed_programmes=frozenset(completed.scalars()),
            restricted=row.restricted,
        )

    async def completed_training(self, client_id: UUID, programme_code: str) -> None:
        await self._session.execute(
            pg_insert(orm.completed_trainings)
            .values(client_id=client_id, programme_code=programme_code)
            .on_conflict_do_nothing()
        )

    async def grant(
        self, consent_id: UUID, client_id: UUID, partner_code: str, scope: list[str], at: datetime
    ) -> None:
        await self._session.execute(
            pg_insert(orm.consents)
            .values(
                consent_id=consent_id,
                client_id=client_id,
                partner_code=partner_code,
                scope=scope,
                granted_at=at,
            )
            .on_conflict_do_nothing()
        )

    async def withdraw(self, consent_id: UUID, at: datetime) -> None:
        await self._session.execute(
            update(orm.consents)
            .where(orm.consents.c.consent_id == consent_id)
            .values(withdrawn_at=at)
        )

    async def forget_client(self, client_id: UUID) -> None:
        """An erased client: its facts, consents and completed programmes go."""
        for table in (orm.client_facts, orm.consents, orm.completed_trainings):
            await self._session.execute(delete(table).where(table.c.client_id == client_id))

    async def live_consent(self, client_id: UUID, partner_code: str) -> LiveConsent | None:
        row = (
            await self._session.execute(
                select(orm.consents)
                .where(
                    orm.consents.c.client_id == client_id,
                    orm.consents.c.partner_code == partner_code,
                    orm.consents.c.withdrawn_at.is_(None),
                )
                .order_by(orm.consents.c.granted_at.desc())
                .limit(1)
            )
        ).first()
        return LiveConsent(row.consent_id, tuple(row.scope), row.granted_at) if row else None
