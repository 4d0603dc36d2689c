"""Notify's unit of work: its repository, its outbox and its publishing translator.

Every outbox row notify writes goes through here (`shared.unit_of_work.UnitOfWork.commit`):
the welcome and other scheduled messages (the consumer's `Work`), deliveries and STOP replies
(the webhooks), and messages given up on (the sender). Notify's events belong to no
aggregate a handler loads and saves, so they are `announce`d rather than tracked.

The repository is typed by what handlers and reactions ask of it, so a test can put an
in-memory one in its place (tests/unit/notify_fakes.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol, Self
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notify.adapters import orm, publishing
from notify.adapters.contacts import ContactProtector
from notify.adapters.repository import NotificationRepository, UpcomingSession
from notify.domain.model import Notification, Report
from notify.domain.webhooks import SignedWebhook
from shared.auth import RegionScope
from shared.unit_of_work import Published, UnitOfWork


class Notifications(Protocol):
    # the message log, delivery reports and the sender's verdicts
    async def for_client(
        self, client_id: UUID, scope: RegionScope, limit: int, before: datetime | None
    ) -> list[dict[str, Any]]: ...
    async def delivery_report(
        self, provider_message_id: str, report: Report, at: datetime, reason: str | None
    ) -> Notification | None: ...
    async def mark_failed(self, notification_id: UUID, reason: str) -> None: ...
    # the provider's webhooks and clients' replies
    async def remember_webhook(self, provider: str, webhook: SignedWebhook) -> bool: ...
    async def forget_webhooks(self, signed_before: datetime) -> int: ...
    async def clients_by_phone(self, phone: str) -> list[tuple[UUID, str]]: ...
    # referrals' names and training sessions, as the consumer keeps them
    async def put_referral_names(self, referral_id: UUID, partner: str, product: str) -> None: ...
    async def referral_names(self, referral_id: UUID) -> tuple[str, str] | None: ...
    async def put_session(
        self, session_id: UUID, title: str, region_code: str, starts_at: datetime
    ) -> None: ...
    async def training_session(self, session_id: UUID) -> UpcomingSession | None: ...
    async def cancel_session(self, session_id: UUID) -> None: ...
    async def put_participant(self, session_id: UUID, client_id: UUID, status: str) -> None: ...
    async def participants(self, session_id: UUID, statuses: tuple[str, ...]) -> list[UUID]: ...
    async def reminded_session(self, session_id: UUID, now: datetime) -> UpcomingSession | None: ...
    async def sessions_to_remind(self, now: datetime, until: datetime) -> list[UpcomingSession]: ...
    async def mark_reminded(self, session_id: UUID, starts_at: datetime) -> None: ...


class NotifyUnitOfWork(UnitOfWork):
    outbox = orm.outbox
    notifications: Notifications

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession] | None = None,
        contacts: ContactProtector | None = None,
    ) -> None:
        super().__init__(sessions)
        self.contacts = contacts  # to read and find clients' addresses; none for a test

    @classmethod
    def within(cls, session: AsyncSession, contacts: ContactProtector | None) -> Self:
        """Joined to `session` (a consumer's inbox transaction) and bound at once, so the
        repository is there before `async with` (the consumer's reactions use it first)."""
        uow = cls.joining(session)
        uow.contacts = contacts
        uow.session = session
        uow.bind(session)
        return uow

    def bind(self, session: AsyncSession) -> None:
        self.notifications = NotificationRepository(session, self.contacts)

    def translate(self, aggregate: Any, event: Any) -> Iterable[Published]:
        return publishing.integration_events(event)
