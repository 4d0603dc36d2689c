"""Persistence of notify: notifications, and the projections that decide who hears what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from uuid import UUID

from sqlalchemy import CursorResult, and_, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notify.adapters import orm
from notify.adapters.contacts import ContactProtector
from notify.domain.model import REPORTED_FROM, Notification, Report
from notify.domain.webhooks import SignedWebhook
from shared.auth import RegionScope


@dataclass(frozen=True)
class UpcomingSession:
    session_id: UUID
    starts_at: datetime
    region_code: str
    programme_title: str


def _notification(row: Any) -> Notification:
    return Notification(
        id=row.id,
        event_id=row.event_id,
        recipient=row.recipient,
        client_id=row.client_id,
        region_code=row.region_code,
        template=row.template,
        language=row.language,
        channel=row.channel,
        context=dict(row.context),
        status=row.status,
        reason=row.reason,
        attempts=row.attempts,
        not_before=row.not_before,
        provider_message_id=row.provider_message_id,
        created_at=row.created_at,
    )


class NotificationRepository:
    def __init__(self, session: AsyncSession, contacts: ContactProtector | None = None) -> None:
        self._session = session
        self._contacts = contacts

    # notifications

    async def for_client(
        self, client_id: UUID, scope: RegionScope, limit: int, before: datetime | None
    ) -> list[dict[str, Any]]:
        table = orm.notifications
        query = (
            select(table)
            .where(table.c.client_id == client_id, scope.filter(table.c.region_code))
            .order_by(table.c.created_at.desc(), table.c.id)
            .limit(limit)
        )
        if before is not None:
            query = query.where(table.c.created_at < before)
        return [dict(r._mapping) for r in await self._session.execute(query)]

    async def claim_due(self, now: datetime, lease: timedelta, limit: int) -> list[Notification]:
        """Due messages, marked `sending` under a lease and returned; a `sending` row whose
        lease ran out (its sender died between sending and recording) is claimed again."""
        table = orm.notifications
        due = (
            select(table.c.id)
            .where(
                or_(
                    and_(table.c.status == "scheduled", table.c.not_before <= now),
                    and_(table.c.status == "sending", table.c.claimed_at < now - lease),
                )
            )
            .order_by(table.c.not_before)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        rows = await self._session.execute(
            update(table)
            .where(table.c.id.in_(due))
            .values(
                status="sending",
                claimed_at=now,
                attempts=table.c.attempts + 1,
                updated_at=now,
            )
            .returning(table)
        )
        return [_notification(r) for r in rows]

    async def mark_sent(
        self, notification_id: UUID, provider_message_id: str, at: datetime
    ) -> None:
        await self._set(
            notification_id,
            status="sent",
            provider_message_id=provider_message_id,
            sent_at=at,
            claimed_at=None,
            reason=None,
        )

    async def retry_later(self, notification_id: UUID, at: datetime, reason: str) -> None:
        await self._set(
            notification_id, status="scheduled", not_before=at, claimed_at=None, reason=reason
        )

    async def mark_failed(self, notification_id: UUID, reason: str) -> None:
        await self._set(notification_id, status="failed", claimed_at=None, reason=reason)

    async def suppress(self, notification_id: UUID, reason: str) -> None:
        await self._set(notification_id, status="suppressed", claimed_at=None, reason=reason)

    async def delivery_report(
        self, provider_message_id: str, report: Report, at: datetime, reason: str | None
    ) -> Notification | None:
        """Record the provider's report on a sent message; the message, if the report moved
        it (never backwards: `REPORTED_FROM`)."""
        table = orm.notifications
        values: dict[str, Any] = {"updated_at": func.now()}
        if report == "delivered":
            values |= {"status": "delivered", "delivered_at": at, "reason": None}
        else:
            values |= {"status": "failed", "reason": reason or "provider_reported_failure"}
        done = await self._session.execute(
            update(table)
            .where(
                table.c.provider_message_id == provider_message_id,
                table.c.status.in_(REPORTED_FROM[report]),
            )
            .values(**values)
            .returning(table)
        )
        row = done.first()
        return None if row is None else _notification(row)

    # the provider's webhooks

    async def remember_webhook(self, provider: str, webhook: SignedWebhook) -> bool:
        """True the first time a webhook id is seen; False for a duplicate, to be ignored.
        A concurrent duplicate waits here on the key until the first one's transaction ends."""
        table = orm.provider_webhooks
        done = await self._session.execute(
            insert(table)
            .values(provider=provider, webhook_id=webhook.webhook_id, signed_at=webhook.signed_at)
            .on_conflict_do_nothing()
            .returning(table.c.webhook_id)
        )
        return done.first() is not None

    async def forget_webhooks(self, signed_before: datetime) -> int:
        """Forget the webhooks signed before then; how many were forgotten."""
        table = orm.provider_webhooks
        done = await self._session.execute(delete(table).where(table.c.signed_at < signed_before))
        return int(cast(CursorResult[Any], done).rowcount or 0)

    async def _set(self, notification_id: UUID, **values: Any) -> None:
        await self._session.execute(
            update(orm.notifications)
            .where(orm.notifications.c.id == notification_id)
            .values(updated_at=func.now(), **values)
        )

    # what notify knows of clients

    def _protector(self) -> ContactProtector:
        assert self._contacts is not None, "this repository was built without contact keys"
        return self._contacts

    async def address(self, client_id: UUID, channel: str) -> str | None:
        row = (
            await self._session.execute(
                select(orm.client_facts).where(orm.client_facts.c.client_id == client_id)
            )
        ).first()
        if row is None:
            return None
        protector = self._protector()
        if channel == "email":
            blob = row.email_ciphertext
            return protector.email_cipher.decrypt(blob) if blob else None
        blob = row.phone_ciphertext
        return protector.phone_cipher.decrypt(blob) if blob else None

    async def clients_by_phone(self, phone: str) -> list[tuple[UUID, str]]:
        rows = await self._session.execute(
            select(orm.client_facts.c.client_id, orm.client_facts.c.region_code).where(
                orm.client_facts.c.phone_index == self._protector().index(phone)
            )
        )
        return [(r.client_id, r.region_code) for r in rows]

    # referral names

    async def put_referral_names(self, referral_id: UUID, partner: str, product: str) -> None:
        await self._session.execute(
            insert(orm.referral_names)
            .values(referral_id=referral_id, partner_name=partner, product_name=product)
            .on_conflict_do_nothing()
        )

    async def referral_names(self, referral_id: UUID) -> tuple[str, str] | None:
        row = (
            await self._session.execute(
                select(orm.referral_names).where(orm.referral_names.c.referral_id == referral_id)
            )
        ).first()
        return None if row is None else (row.partner_name, row.product_name)

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

    async def training_session(self, session_id: UUID) -> UpcomingSession | None:
        row = (
            await self._session.execute(
                select(orm.training_sessions).where(
                    orm.training_sessions.c.session_id == session_id
                )
            )
        ).first()
        return None if row is None else _upcoming(row)

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
        table = orm.training_sessions
        row = (
            await self._session.execute(
                select(table).where(
                    table.c.session_id == session_id,
                    table.c.reminded_for == table.c.starts_at,
                    table.c.starts_at > now,
                    table.c.cancelled.is_(False),
                )
            )
        ).first()
        return None if row is None else _upcoming(row)

    async def sessions_to_remind(self, now: datetime, until: datetime) -> list[UpcomingSession]:
        """Sessions starting within the window whose reminder is not sent, locked for this
        transaction and skipped by any other worker scanning at the same time."""
        table = orm.training_sessions
        rows = await self._session.execute(
            select(table)
            .where(
                table.c.cancelled.is_(False),
                table.c.starts_at > now,
                table.c.starts_at <= until,
                or_(table.c.reminded_for.is_(None), table.c.reminded_for != table.c.starts_at),
            )
            .with_for_update(skip_locked=True)
        )
        return [_upcoming(r) for r in rows]

    async def mark_reminded(self, session_id: UUID, starts_at: datetime) -> None:
        await self._session.execute(
            update(orm.training_sessions)
            .where(orm.training_sessions.c.session_id == session_id)
            .values(reminded_for=starts_at)
        )


def _upcoming(row: Any) -> UpcomingSession:
    return UpcomingSession(row.session_id, row.starts_at, row.region_code, row.programme_title)
