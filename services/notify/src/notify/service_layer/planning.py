"""Deciding who hears what, over which channels and when — inside the consumer's transaction.

One event may become several notifications: one per channel per recipient. A channel the
client has not consented to, or has no address for, is recorded as `suppressed` with the
reason, so an officer can see why a client heard nothing. Nothing is sent here; the
dispatcher sends what is due (decision 0008).

Planning happens in a `Work`: one transaction, with the book of the clients it plans for
(`notify.adapters.planbook`), written in bulk when the work is finished, and notify's unit of
work joined to it, which announces the scheduled messages in the outbox.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from notify.adapters.contacts import ContactProtector
from notify.adapters.planbook import PlanBook
from notify.adapters.repository import NotificationRepository
from notify.domain.messages import KINDS, check_context
from notify.domain.model import ADMINISTRATORS, CHANNELS, OFFICER, Notification, deliver_at
from notify.service_layer.unit_of_work import Notifications, NotifyUnitOfWork
from shared.calendar import local_now


@dataclass(frozen=True)
class Rules:
    contacts: ContactProtector
    clock: Callable[[], datetime]
    supervisor_alert_address: str = "pengawas-{province}@jembatan.test"
    admin_alert_address: str = "admin@jembatan.test"
    quiet_hours: bool = True
    # An officer's e-mail address by Keycloak user id (the client service knows the realm).
    officer_address: Callable[[str], Awaitable[str | None]] | None = None

    def deliver_at(self, at: datetime, region_code: str, template: str) -> datetime:
        """When a message may go: quiet hours apply unless it is urgent or they are off."""
        return deliver_at(
            local_now(region_code, at), KINDS[template].urgent or not self.quiet_hours
        )

    def repository(self, session: AsyncSession) -> NotificationRepository:
        return NotificationRepository(session, self.contacts)


@dataclass(frozen=True)
class Work:
    """One planning transaction: its session, the rules, the book of its clients, and the
    unit of work joined to the session (its repository; the outbox at `finish`)."""

    session: AsyncSession
    rules: Rules
    book: PlanBook
    uow: NotifyUnitOfWork = field(default_factory=NotifyUnitOfWork)

    @classmethod
    def begin(cls, session: AsyncSession, rules: Rules) -> Work:
        uow = NotifyUnitOfWork.within(session, rules.contacts)
        return cls(session, rules, PlanBook(session, rules.contacts), uow)

    @property
    def repo(self) -> Notifications:
        """Sessions, participants and referral names: read and written at once."""
        return self.uow.notifications

    async def finish(self) -> None:
        """Write what was planned and announce the scheduled messages; call before the
        transaction commits (the joined unit of work leaves the commit to its owner)."""
        scheduled = await self.book.flush()
        async with self.uow:
            for event in scheduled:
                self.uow.announce_event(event)
            await self.uow.commit()


async def tell_client(
    work: Work,
    *,
    event_id: UUID,
    client_id: UUID,
    region_code: str,
    kind: str,
    context: dict[str, str] | Callable[[str], dict[str, str]],
    now: datetime | None = None,
) -> list[Notification]:
    """Plan `kind` for a client on every channel; `context` may depend on the language."""
    recipient = await work.book.recipient(client_id, region_code)
    values = context(recipient.language) if callable(context) else context
    check_context(KINDS[kind], values)
    now = now or work.rules.clock()
    when = work.rules.deliver_at(now, recipient.region_code, kind)
    planned = [
        Notification.plan(
            event_id=event_id,
            recipient=f"client:{client_id}",
            client_id=client_id,
            region_code=recipient.region_code,
            template=kind,
            language=recipient.language,
            channel=channel,
            context=values,
            refusal=recipient.reach.refusal(channel),
            not_before=when,
        )
        for channel in CHANNELS
    ]
    for notification in planned:
        work.book.plan(notification, announce_at=now)
    return planned


async def alert_supervisors(
    work: Work,
    *,
    event_id: UUID,
    region_code: str,
    kind: str,
    context: dict[str, str],
) -> None:
    """An urgent email to the supervisors of the region's province; quiet hours do not apply."""
    _alert(work, f"supervisor:{region_code[:2]}", event_id, region_code, kind, context)


async def alert_officer(
    work: Work,
    *,
    event_id: UUID,
    officer: str,
    region_code: str,
    kind: str,
    context: dict[str, str],
) -> None:
    """An urgent email to one officer (her Keycloak user id); quiet hours do not apply. Her
    address is looked up when the message is sent, never stored here."""
    _alert(work, f"{OFFICER}{officer}", event_id, region_code, kind, context)


async def alert_administrators(
    work: Work,
    *,
    event_id: UUID,
    region_code: str,
    kind: str,
    context: dict[str, str],
) -> None:
    """An urgent email to the platform's administrators; `region_code` is where the matter
    lies (its zone dates the message). Quiet hours do not apply."""
    _alert(work, ADMINISTRATORS, event_id, region_code, kind, context)


def _alert(
    work: Work,
    recipient: str,
    event_id: UUID,
    region_code: str,
    kind: str,
    context: dict[str, str],
) -> None:
    """An email in Indonesian to staff (no client), dated in the region's zone."""
    check_context(KINDS[kind], context)
    work.book.plan(
        Notification.plan(
            event_id=event_id,
            recipient=recipient,
            client_id=None,
            region_code=region_code,
            template=kind,
            language="id",
            channel="email",
            context=context,
            refusal=None,
            not_before=work.rules.deliver_at(work.rules.clock(), region_code, kind),
        )
    )
