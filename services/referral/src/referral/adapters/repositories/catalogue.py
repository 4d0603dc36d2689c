"""Persistence of the partner catalogue: partners, their products, fee sheets and rules."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from referral.adapters import orm
from referral.domain.catalogue import FeeSheet, Partner, Product, Rule


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
