"""Persistence of the catalogue, the client and consent projections, and referrals."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from referral.adapters import orm
from referral.domain.catalogue import FeeSheet, Partner, Product, Rule
from referral.domain.eligibility import Applicant
from referral.domain.erasure import PartnerErasure
from referral.domain.referral import OPEN_STATES, Referral
from referral.domain.summary import PartnerMonth
from shared.auth import RegionScope


class ConcurrentUpdate(Exception):
    pass


@dataclasses.dataclass(frozen=True)
class LiveConsent:
    consent_id: UUID
    scope: tuple[str, ...]
    granted_at: datetime


class Catalogue:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def partners(self) -> list[Partner]:
        partner_rows = (
            await self._session.execute(select(orm.partners).order_by(orm.partners.c.code))
        ).all()
        product_rows = (
            await self._session.execute(select(orm.products).order_by(orm.products.c.code))
        ).all()
        return [
            _partner(p._mapping, [r._mapping for r in product_rows if r.partner_code == p.code])
            for p in partner_rows
        ]

    async def partner(self, code: str) -> Partner | None:
        return next((p for p in await self.partners() if p.code == code), None)

    async def upsert(self, partner: Partner) -> None:
        values = {k: v for k, v in dataclasses.asdict(partner).items() if k != "products"}
        await self._session.execute(
            pg_insert(orm.partners)
            .values(values)
            .on_conflict_do_update(index_elements=["code"], set_=values)
        )
        for product in partner.products:
            row = {
                "partner_code": partner.code,
                "code": product.code,
                "name": product.name,
                "kind": product.kind,
                "fee_sheet": dataclasses.asdict(product.fee_sheet),
                "rules": [dataclasses.asdict(r) for r in product.rules],
            }
            await self._session.execute(
                pg_insert(orm.products)
                .values(row)
                .on_conflict_do_update(index_elements=["partner_code", "code"], set_=row)
            )

    async def offboarded(self) -> list[str]:
        """The partners being or having been offboarded: their topics are gone."""
        rows = await self._session.execute(
            select(orm.partners.c.code).where(
                orm.partners.c.status.in_(("offboarding", "offboarded"))
            )
        )
        return list(rows.scalars())

    async def set_status(self, code: str, status: str) -> None:
        await self._session.execute(
            update(orm.partners).where(orm.partners.c.code == code).values(status=status)
        )

    async def set_licence(self, code: str, status: str, verified_on: date) -> bool:
        result = await self._session.execute(
            update(orm.partners)
            .where(orm.partners.c.code == code)
            .values(licence_status=status, licence_verified_on=verified_on)
            .returning(orm.partners.c.code)
        )
        return result.first() is not None


def _partner(row: Any, products: list[Any]) -> Partner:
    return Partner(
        code=row["code"],
        name=row["name"],
        kind=row["kind"],
        regulator=row["regulator"],
        licence_type=row["licence_type"],
        licence_number=row["licence_number"],
        licence_status=row["licence_status"],
        licence_verified_on=row["licence_verified_on"],
        offer_version=row["offer_version"],
        status=row["status"],
        callback_url=row["callback_url"],
        products=tuple(
            Product(
                code=p["code"],
                partner_code=p["partner_code"],
                name=p["name"],
                kind=p["kind"],
                fee_sheet=FeeSheet(**p["fee_sheet"]),
                rules=tuple(Rule(**r) for r in p["rules"]),
            )
            for p in products
        ),
    )


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
