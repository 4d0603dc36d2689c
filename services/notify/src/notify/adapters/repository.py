"""Persistence of notifications."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from notify.adapters import orm
from notify.domain.model import Notification
from shared.auth import RegionScope


class NotificationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, notification: Notification) -> None:
        await self._session.execute(
            insert(orm.notifications).values(
                id=notification.id,
                event_id=notification.event_id,
                client_id=notification.client_id,
                region_code=notification.region_code,
                template=notification.template,
                language=notification.language,
                status=notification.status,
            )
        )

    async def for_client(self, client_id: object, scope: RegionScope) -> list[dict[str, object]]:
        rows = await self._session.execute(
            select(orm.notifications)
            .where(
                orm.notifications.c.client_id == client_id,
                scope.filter(orm.notifications.c.region_code),
            )
            .order_by(orm.notifications.c.created_at.desc())
        )
        return [dict(r._mapping) for r in rows]
