"""Persistence of the erasures asked of partners, and what they confirmed."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from referral.adapters import orm
from referral.domain.erasure import PartnerErasure

_ERASURE_FIELDS = [f.name for f in dataclasses.fields(PartnerErasure)]


class Erasures:
    """What partners were asked to erase, and what they confirmed."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, erasure: PartnerErasure) -> None:
        """Record the request; one per referral (a repeated request changes nothing)."""
        values = {name: getattr(erasure, name) for name in _ERASURE_FIELDS}
        await self._session.execute(
            pg_insert(orm.partner_erasures).values(**values).on_conflict_do_nothing()
        )

    async def get(self, referral_id: UUID) -> PartnerErasure | None:
        """The erasure asked for a referral, locked for change."""
        row = (
            await self._session.execute(
                select(orm.partner_erasures)
                .where(orm.partner_erasures.c.referral_id == referral_id)
                .with_for_update()
            )
        ).first()
        return _erasure(row._mapping) if row else None

    async def save(self, erasure: PartnerErasure) -> None:
        await self._session.execute(
            update(orm.partner_erasures)
            .where(orm.partner_erasures.c.referral_id == erasure.referral_id)
            .values(
                confirmed_at=erasure.confirmed_at,
                erased_at=erasure.erased_at,
                escalated_at=erasure.escalated_at,
            )
        )

    async def unconfirmed_due_before(self, instant: datetime, limit: int) -> list[PartnerErasure]:
        """Erasures neither confirmed nor escalated whose deadline passed before `instant`."""
        erasures = orm.partner_erasures.c
        rows = await self._session.execute(
            select(orm.partner_erasures)
            .where(
                erasures.confirmed_at.is_(None),
                erasures.escalated_at.is_(None),
                erasures.erase_by < instant,
            )
            .order_by(erasures.erase_by)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_erasure(r._mapping) for r in rows]


def _erasure(row: Any) -> PartnerErasure:
    return PartnerErasure(**{name: row[name] for name in _ERASURE_FIELDS})
