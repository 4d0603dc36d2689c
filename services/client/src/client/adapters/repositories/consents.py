"""A client's consents: granted, withdrawn, listed newest first."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from client.adapters import orm
from client.domain.consent import Consent


class ConsentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, consent: Consent) -> None:
        await self._session.execute(
            insert(orm.consents).values(
                id=consent.id,
                client_id=consent.client_id,
                purpose=consent.purpose,
                partner_code=consent.partner_code,
                scope=list(consent.scope),
                channels=list(consent.channels),
                text_version=consent.text_version,
                granted_at=consent.granted_at,
                granted_by=consent.granted_by,
            )
        )

    async def save_withdrawal(self, consent: Consent) -> None:
        await self._session.execute(
            update(orm.consents)
            .where(orm.consents.c.id == consent.id, orm.consents.c.withdrawn_at.is_(None))
            .values(withdrawn_at=consent.withdrawn_at, withdrawn_by=consent.withdrawn_by)
        )

    async def get(self, client_id: UUID, consent_id: UUID) -> Consent | None:
        row = (
            await self._session.execute(
                select(orm.consents)
                .where(orm.consents.c.id == consent_id, orm.consents.c.client_id == client_id)
                .with_for_update()
            )
        ).first()
        return _to_consent(row._mapping) if row else None

    async def for_client(self, client_id: UUID) -> list[Consent]:
        rows = await self._session.execute(
            select(orm.consents)
            .where(orm.consents.c.client_id == client_id)
            .order_by(orm.consents.c.granted_at.desc())
        )
        return [_to_consent(r._mapping) for r in rows]


def _to_consent(row: Any) -> Consent:
    return Consent(
        id=row["id"],
        client_id=row["client_id"],
        purpose=row["purpose"],
        partner_code=row["partner_code"],
        scope=tuple(row["scope"]),
        channels=tuple(row["channels"]),
        text_version=row["text_version"],
        granted_at=row["granted_at"],
        granted_by=row["granted_by"],
        withdrawn_at=row["withdrawn_at"],
        withdrawn_by=row["withdrawn_by"],
    )
