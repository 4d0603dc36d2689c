"""Persistence of referrals: optimistic saves, the searches of officers and partners, the
month's figures per partner, and the timers' queries."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from referral.adapters import orm
from referral.domain.referral import OPEN_STATES, Referral
from referral.domain.summary import PartnerMonth
from shared.auth import RegionScope


class ConcurrentUpdate(Exception):
    """The referral to save is no longer there (erased since it was read): nothing was saved."""


_FIELDS = [f.name for f in dataclasses.fields(Referral) if f.name != "events"]


# The two SLAs a referral can breach: no acknowledgement in time (it expired), or an outcome
# so late that the partner was reminded of it.
_EXPIRED = orm.referrals.c.state == "expired"
_REMINDED = orm.referrals.c.outcome_reminded_at.isnot(None)


class Referrals:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, referral: Referral) -> None:
        values = {name: getattr(referral, name) for name in _FIELDS}
        values["options_shown"] = list(referral.options_shown)
        await self._session.execute(insert(orm.referrals).values(**values))

    async def save(self, referral: Referral) -> None:
        result = await self._session.execute(
            update(orm.referrals)
            .where(orm.referrals.c.id == referral.id)
            .values(
                state=referral.state,
                external_ref=referral.external_ref,
                outcome=referral.outcome,
                reason=referral.reason,
                updated_at=referral.updated_at,
                acknowledged_at=referral.acknowledged_at,
                version=orm.referrals.c.version + 1,
            )
            .returning(orm.referrals.c.id)
        )
        if result.first() is None:
            raise ConcurrentUpdate()

    async def open_for(self, client_id: UUID, partner_code: str, product_code: str) -> bool:
        """Whether the client already waits for this partner's answer on this product."""
        referrals = orm.referrals.c
        found = await self._session.scalar(
            select(referrals.id)
            .where(
                referrals.client_id == client_id,
                referrals.partner_code == partner_code,
                referrals.product_code == product_code,
                referrals.state.in_(OPEN_STATES),
            )
            .limit(1)
        )
        return found is not None

    async def get(
        self,
        referral_id: UUID,
        *,
        scope: RegionScope | None = None,
        partner_code: str | None = None,
        lock: bool = True,
    ) -> Referral | None:
        """One referral, within the officer's region or the partner's own; locked for change
        unless only read (`lock=False`)."""
        query = select(orm.referrals).where(orm.referrals.c.id == referral_id)
        if lock:
            query = query.with_for_update()
        if scope is not None:
            query = query.where(scope.filter(orm.referrals.c.region_code))
        if partner_code is not None:
            query = query.where(orm.referrals.c.partner_code == partner_code)
        row = (await self._session.execute(query)).first()
        return _referral(row._mapping) if row else None

    async def find(
        self,
        *,
        scope: RegionScope | None = None,
        partner_code: str | None = None,
        client_id: UUID | None = None,
        state: str | None = None,
        sent_by: str | None = None,
        late: bool = False,
        answered_since: datetime | None = None,
        limit: int = 50,
        after: UUID | None = None,
        order: str = "id",
    ) -> list[Referral]:
        """Referrals by the given facts; `late`: past an SLA (expired unacknowledged, or the
        outcome late); `answered_since`: the partner acknowledged, completed or declined it
        since then. In id order (pages follow `after`), or the `newest` first, or the
        earliest `respond_by` first (one page each)."""
        referrals = orm.referrals
        query = select(referrals)
        if sent_by is not None:
            query = query.where(referrals.c.sent_by == sent_by)
        if late:  # still late now: expired, or acknowledged and reminded of its outcome
            query = query.where(_EXPIRED | ((referrals.c.state == "acknowledged") & _REMINDED))
        if answered_since is not None:
            query = query.where(
                referrals.c.state.in_(("acknowledged", "completed", "declined")),
                referrals.c.updated_at >= answered_since,
            )
        if scope is not None:
            query = query.where(scope.filter(orm.referrals.c.region_code))
        if partner_code is not None:
            query = query.where(orm.referrals.c.partner_code == partner_code)
        if client_id is not None:
            query = query.where(orm.referrals.c.client_id == client_id)
        if state is not None:
            query = query.where(orm.referrals.c.state == state)
        if after is not None:
            query = query.where(orm.referrals.c.id > after)
        ordering = {
            "id": (referrals.c.id,),
            "newest": (referrals.c.sent_at.desc(), referrals.c.id),
            "respond_by": (referrals.c.respond_by, referrals.c.sent_at),
        }[order]
        rows = await self._session.execute(query.order_by(*ordering).limit(limit))
        return [_referral(r._mapping) for r in rows]

    async def per_partner(
        self, scope: RegionScope, sent_from: datetime, sent_before: datetime
    ) -> list[PartnerMonth]:
        """Every partner of the catalogue with what the region's referrals sent in the window
        came to: sent, completed, and SLA breaches (expired, or the outcome came late)."""
        referrals = orm.referrals
        in_window = (
            scope.filter(referrals.c.region_code)
            & (referrals.c.sent_at >= sent_from)
            & (referrals.c.sent_at < sent_before)
        )
        counted = (
            select(
                referrals.c.partner_code,
                func.count().label("sent"),
                func.count().filter(referrals.c.state == "completed").label("completed"),
                func.count().filter(_EXPIRED | _REMINDED).label("breaches"),  # ever breached
            )
            .where(in_window)
            .group_by(referrals.c.partner_code)
            .subquery()
        )
        rows = await self._session.execute(
            select(orm.partners.c.code, orm.partners.c.name, counted)
            .select_from(
                orm.partners.outerjoin(counted, counted.c.partner_code == orm.partners.c.code)
            )
            .order_by(orm.partners.c.name, orm.partners.c.code)
        )
        return [
            PartnerMonth(r.code, r.name, r.sent or 0, r.completed or 0, r.breaches or 0)
            for r in rows
        ]

    async def open_for_consent(self, client_id: UUID, partner_code: str) -> list[Referral]:
        rows = await self._session.execute(
            select(orm.referrals)
            .where(
                orm.referrals.c.client_id == client_id,
                orm.referrals.c.partner_code == partner_code,
                orm.referrals.c.state.in_(("sent", "acknowledged")),
            )
            .with_for_update()
        )
        return [_referral(r._mapping) for r in rows]

    async def not_erased_of_client(self, client_id: UUID) -> list[Referral]:
        """Every referral of the client that is not erased yet, locked for change."""
        rows = await self._session.execute(
            select(orm.referrals)
            .where(orm.referrals.c.client_id == client_id, orm.referrals.c.state != "erased")
            .order_by(orm.referrals.c.id)
            .with_for_update()
        )
        return [_referral(r._mapping) for r in rows]

    async def acknowledged_sent_before(self, instant: datetime, limit: int) -> list[Referral]:
        """Acknowledged referrals sent before `instant` whose late outcome was not yet raised."""
        rows = await self._session.execute(
            select(orm.referrals)
            .where(
                orm.referrals.c.state == "acknowledged",
                orm.referrals.c.sent_at < instant,
                orm.referrals.c.outcome_reminded_at.is_(None),
            )
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_referral(r._mapping) for r in rows]

    async def mark_outcome_reminded(self, referral_id: UUID, at: datetime) -> None:
        await self._session.execute(
            update(orm.referrals)
            .where(orm.referrals.c.id == referral_id)
            .values(outcome_reminded_at=at)
        )

    async def unacknowledged_due_by(self, day: date, limit: int) -> list[Referral]:
        rows = await self._session.execute(
            select(orm.referrals)
            .where(orm.referrals.c.state == "sent", orm.referrals.c.respond_by <= day)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_referral(r._mapping) for r in rows]


def _referral(row: Any) -> Referral:
    values = {name: row[name] for name in _FIELDS}
    values["options_shown"] = tuple(row["options_shown"])
    return Referral(**values)
