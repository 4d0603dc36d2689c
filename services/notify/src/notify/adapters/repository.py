"""Persistence of notify: notifications, and the projections that decide who hears what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notify.adapters import orm
from notify.domain.model import Notification
from shared.auth import RegionScope


@dataclass(frozen=True)
class Recipient:
    client_id: UUID
    region_code: str
    language: str


@dataclass(frozen=True)
class UpcomingSession:
    session_id: UUID
    starts_at: datetime
    region_code: str


class NotificationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, notification: Notification) -> bool:
        """Store the message unless this client already has it for this event and template."""
        inserted = await self._session.execute(
            insert(orm.notifications)
            .values(
                id=notification.id,
                event_id=notification.event_id,
                client_id=notification.client_id,
                region_code=notification.region_code,
                template=notification.template,
                language=notification.language,
                status=notification.status,
            )
            .on_conflict_do_nothing(index_elements=["event_id", "template", "client_id"])
            .returning(orm.notifications.c.id)
        )
        return inserted.first() is not None

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

    # what notify knows of clients

    async def remember_client(self, client_id: UUID, region_code: str, language: str) -> None:
        values = {"region_code": region_code, "language": language}
        await self._session.execute(
            insert(orm.client_facts)
            .values(client_id=client_id, **values)
            .on_conflict_do_update(index_elements=["client_id"], set_=values)
        )

    async def recipient(self, client_id: UUID, fallback_region: str) -> Recipient:
        row = (
            await self._session.execute(
                select(orm.client_facts).where(orm.client_facts.c.client_id == client_id)
            )
        ).first()
        if row is None:  # the registration is still on its way: the session's region, Indonesian
            return Recipient(client_id, fallback_region, "id")
        return Recipient(client_id, row.region_code, row.language)

    # what notify knows of training sessions

    async def put_session(
        self, session_id: UUID, title: str, region_code: str, starts_at: datetime
    ) -> None:
        values = {"programme_title": title, "region_code": region_code, "starts_at": starts_at}
        await self._session.execute(
            insert(orm.training_sessions)
            .values(session_id=session_id, cancelled=False, **values)
            .on_conflict_do_update(index_elements=["session_id"], set_=values)
        )

    async def cancel_session(self, session_id: UUID) -> None:
        await self._session.execute(
            update(orm.training_sessions)
            .where(orm.training_sessions.c.session_id == session_id)
            .values(cancelled=True)
        )

    async def put_participant(self, session_id: UUID, client_id: UUID, status: str) -> None:
        await self._session.execute(
            insert(orm.training_participants)
            .values(session_id=session_id, client_id=client_id, status=status)
            .on_conflict_do_update(
                index_elements=["session_id", "client_id"], set_={"status": status}
            )
        )

    async def participants(self, session_id: UUID, statuses: tuple[str, ...]) -> list[UUID]:
        rows = await self._session.execute(
            select(orm.training_participants.c.client_id).where(
                orm.training_participants.c.session_id == session_id,
                orm.training_participants.c.status.in_(statuses),
            )
        )
        return list(rows.scalars())

    async def reminded_session(self, session_id: UUID, now: datetime) -> UpcomingSession | None:
        """The session if its reminder already went out and it still lies ahead."""
        row = (
            await self._session.execute(
                select(orm.training_sessions).where(
                    orm.training_sessions.c.session_id == session_id,
                    orm.training_sessions.c.reminded_for == orm.training_sessions.c.starts_at,
                    orm.training_sessions.c.starts_at > now,
                    orm.training_sessions.c.cancelled.is_(False),
                )
            )
        ).first()
        return (
            None if row is None else UpcomingSession(row.session_id, row.starts_at, row.region_code)
        )

    async def sessions_to_remind(self, now: datetime, until: datetime) -> list[UpcomingSession]:
        """Sessions starting within the window whose reminder is not sent, locked for this
        transaction and skipped by any other worker scanning at the same time."""
        table = orm.training_sessions
        rows = await self._session.execute(
            select(table.c.session_id, table.c.starts_at, table.c.region_code)
            .where(
                table.c.cancelled.is_(False),
                table.c.starts_at > now,
                table.c.starts_at <= until,
                or_(table.c.reminded_for.is_(None), table.c.reminded_for != table.c.starts_at),
            )
            .with_for_update(skip_locked=True)
        )
        return [UpcomingSession(r.session_id, r.starts_at, r.region_code) for r in rows]

    async def mark_reminded(self, session_id: UUID, starts_at: datetime) -> None:
        await self._session.execute(
            update(orm.training_sessions)
            .where(orm.training_sessions.c.session_id == session_id)
            .values(reminded_for=starts_at)
        )
