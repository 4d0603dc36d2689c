"""Persistence of breaches, and the people a breach may touch, read from the live tables.

A breach row keeps counts by regency and the rule that made them; the people themselves are
selected from `clients` by that rule each time they are asked for, so nothing personal is
copied into the breach.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    Text,
    and_,
    column,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from client.adapters import orm
from client.domain.breach import AffectedClient, Breach
from shared.auth import RegionScope
from shared.idempotency import record_effect


def affects(table: FromClause, regions: Sequence[str], until: datetime) -> ColumnElement[bool]:
    """The affected rule (`AFFECTED_RULE`): a record of one of `regions`, registered before
    `until` (the end of the breach's period)."""
    return and_(
        or_(*(table.c.region_code.startswith(code, autoescape=True) for code in regions)),
        table.c.registered_at < until,
    )


def _visible(scope: RegionScope) -> ColumnElement[bool]:
    """A breach one of whose regions lies in `scope` (RegionScope("") for every breach)."""
    listed = (
        func.unnest(orm.breaches.c.regions)
        .table_valued(column("code", Text))
        .render_derived(name="listed")
    )
    return select(listed.c.code).where(scope.filter(listed.c.code)).exists()


def _values(breach: Breach) -> dict[str, Any]:
    return {
        "people_notified_at": breach.people_notified_at,
        "people_notified_by": breach.people_notified_by,
        "people_told": breach.people_told,
        "authority_notified_at": breach.authority_notified_at,
        "authority_notified_by": breach.authority_notified_by,
        "escalated_at": breach.escalated_at,
        "version": breach.version,
    }


def _to_breach(row: Any, counts: dict[str, int]) -> Breach:
    return Breach(
        id=row["id"],
        category=row["category"],
        description=row["description"],
        handling=row["handling"],
        data_kinds=tuple(row["data_kinds"]),
        systems=tuple(row["systems"]),
        found_at=row["found_at"],
        period_from=row["period_from"],
        period_to=row["period_to"],
        regions=tuple(row["regions"]),
        recorded_at=row["recorded_at"],
        recorded_by=row["recorded_by"],
        affected_rule=row["affected_rule"],
        counts=counts,
        people_notified_at=row["people_notified_at"],
        people_notified_by=row["people_notified_by"],
        people_told=row["people_told"],
        authority_notified_at=row["authority_notified_at"],
        authority_notified_by=row["authority_notified_by"],
        escalated_at=row["escalated_at"],
        version=row["version"],
    )


class BreachRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, breach: Breach) -> None:
        await self._session.execute(
            insert(orm.breaches).values(
                id=breach.id,
                category=breach.category,
                description=breach.description,
                handling=breach.handling,
                data_kinds=list(breach.data_kinds),
                systems=list(breach.systems),
                found_at=breach.found_at,
                period_from=breach.period_from,
                period_to=breach.period_to,
                regions=list(breach.regions),
                affected_rule=breach.affected_rule,
                recorded_at=breach.recorded_at,
                recorded_by=breach.recorded_by,
                due_at=breach.due_at,
                **_values(breach),
            )
        )
        if breach.counts:
            await self._session.execute(
                insert(orm.breach_counts),
                [
                    {"breach_id": breach.id, "region_code": code, "clients": n}
                    for code, n in breach.counts.items()
                ],
            )
        # No event announces a breach: its Idempotency-Key is marked here (decision 0014).
        await record_effect(self._session)

    async def save(self, breach: Breach) -> None:
        """Write who was told when; `version` keeps a concurrent change from being lost."""
        result = await self._session.execute(
            update(orm.breaches)
            .where(orm.breaches.c.id == breach.id, orm.breaches.c.version < breach.version)
            .values(**_values(breach))
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentChange()
        await record_effect(self._session)

    async def get(
        self, breach_id: UUID, scope: RegionScope, *, lock: bool = False
    ) -> Breach | None:
        query = select(orm.breaches).where(orm.breaches.c.id == breach_id, _visible(scope))
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        if row is None:
            return None
        return _to_breach(row._mapping, await self._counts(breach_id, scope))

    async def _counts(self, breach_id: UUID, scope: RegionScope) -> dict[str, int]:
        """The counts of the regencies in `scope`: a supervisor sees their province's only."""
        rows = await self._session.execute(
            select(orm.breach_counts.c.region_code, orm.breach_counts.c.clients).where(
                orm.breach_counts.c.breach_id == breach_id,
                scope.filter(orm.breach_counts.c.region_code),
            )
        )
        return {r.region_code: r.clients for r in rows}

    async def newest(self, scope: RegionScope, limit: int, after: UUID | None) -> list[Breach]:
        """Breaches in `scope`, the most recently recorded first; `after` is the last one of
        the page before."""
        table = orm.breaches
        query: Select[Any] = select(table).where(_visible(scope))
        if after is not None:
            last = select(table.c.recorded_at).where(table.c.id == after).scalar_subquery()
            query = query.where(
                or_(
                    table.c.recorded_at < last,
                    and_(table.c.recorded_at == last, table.c.id < after),
                )
            )
        rows = (
            await self._session.execute(
                query.order_by(table.c.recorded_at.desc(), table.c.id.desc()).limit(limit)
            )
        ).all()
        return [_to_breach(r._mapping, await self._counts(r.id, scope)) for r in rows]

    async def late(self, now: datetime, limit: int) -> list[Breach]:
        """Breaches past their deadline, someone still not told, not yet escalated; locked."""
        table = orm.breaches
        rows = await self._session.execute(
            select(table)
            .where(
                table.c.escalated_at.is_(None),
                table.c.due_at < now,
                or_(table.c.people_notified_at.is_(None), table.c.authority_notified_at.is_(None)),
            )
            .order_by(table.c.due_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_to_breach(r._mapping, {}) for r in rows]

    async def count_affected(self, regions: Sequence[str], until: datetime) -> dict[str, int]:
        """How many client records the rule selects, by regency."""
        clients = orm.clients
        rows = await self._session.execute(
            select(clients.c.region_code, func.count())
            .where(affects(clients, regions, until))
            .group_by(clients.c.region_code)
        )
        return {code: n for code, n in rows.tuples()}

    async def affected(
        self, breach: Breach, limit: int, after: UUID | None
    ) -> list[AffectedClient]:
        """One page of the client records the breach may have touched, in id order."""
        clients = orm.clients
        query = select(
            clients.c.id,
            clients.c.region_code,
            clients.c.registered_at,
            clients.c.preferred_language,
        ).where(affects(clients, breach.regions, breach.period_to))
        if after is not None:
            query = query.where(clients.c.id > after)
        rows = await self._session.execute(query.order_by(clients.c.id).limit(limit))
        return [AffectedClient(*r) for r in rows.tuples()]

    async def to_notify(self, breach: Breach) -> list[AffectedClient]:
        """Every affected record once per person: a duplicate merged into a record that is
        itself affected is told through that record, not twice."""
        clients, survivor = orm.clients, orm.clients.alias("survivor")
        told_through_survivor = (
            select(survivor.c.id)
            .where(
                survivor.c.id == clients.c.merged_into,
                affects(survivor, breach.regions, breach.period_to),
            )
            .exists()
        )
        rows = await self._session.execute(
            select(
                clients.c.id,
                clients.c.region_code,
                clients.c.registered_at,
                clients.c.preferred_language,
            )
            .where(affects(clients, breach.regions, breach.period_to), ~told_through_survivor)
            .order_by(clients.c.id)
        )
        return [AffectedClient(*r) for r in rows.tuples()]

    async def audit_reads(
        self, *, actor: str, username: str | None, breach: Breach, read: Sequence[AffectedClient]
    ) -> None:
        """Each listed client is a read of the record, for the breach (DESIGN §7)."""
        if not read:
            return
        await self._session.execute(
            insert(orm.record_reads),
            [
                {
                    "actor": actor,
                    "actor_username": username,
                    "record_type": "client",
                    "record_id": client.id,
                    "region_code": client.region_code,
                    "purpose": "breach",
                    "reference": f"breach:{breach.id}",
                }
                for client in read
            ],
        )


class ConcurrentChange(Exception):
    """Someone else changed the breach since it was read."""
