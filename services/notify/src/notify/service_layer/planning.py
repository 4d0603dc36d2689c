"""Deciding who hears what, over which channels and when — inside the consumer's transaction.

One event may become several notifications: one per channel per recipient. A channel the
client has not consented to, or has no address for, is recorded as `suppressed` with the
reason, so an officer can see why a client heard nothing. Nothing is sent here; the
dispatcher sends what is due (decision 0008).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from notify.adapters import orm
from notify.adapters.contacts import ContactProtector
from notify.adapters.repository import NotificationRepository
from notify.domain.messages import KINDS, check_context
from notify.domain.model import CHANNELS, Notification, deliver_at
from shared.contracts import notify as notify_contracts
from shared.messaging.envelope import Envelope
from shared.messaging.outbox import add_to_outbox


@dataclass(frozen=True)
class Rules:
    contacts: ContactProtector
    clock: Callable[[], datetime]
    supervisor_alert_address: str = "pengawas-{province}@jembatan.test"
    quiet_hours: bool = True

    def deliver_at(self, at: datetime, region_code: str, template: str) -> datetime:
        """When a message may go: quiet hours apply unless it is urgent or they are off."""
        return deliver_at(at, region_code, KINDS[template].urgent or not self.quiet_hours)

    def repository(self, session: AsyncSession) -> NotificationRepository:
        return NotificationRepository(session, self.contacts)


async def tell_client(
    session: AsyncSession,
    rules: Rules,
    *,
    event_id: UUID,
    client_id: UUID,
    region_code: str,
    kind: str,
    context: dict[str, str] | Callable[[str], dict[str, str]],
    now: datetime | None = None,
) -> list[Notification]:
    """Plan `kind` for a client on every channel; `context` may depend on the language."""
    repo = rules.repository(session)
    recipient = await repo.recipient(client_id, region_code)
    values = context(recipient.language) if callable(context) else context
    check_context(KINDS[kind], values)
    now = now or rules.clock()
    when = rules.deliver_at(now, recipient.region_code, kind)
    planned = []
    for channel in CHANNELS:
        notification = Notification.plan(
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
        if await repo.add(notification):
            planned.append(notification)
    await _announce(session, [n for n in planned if n.status == "scheduled"], now)
    return planned


async def alert_supervisors(
    session: AsyncSession,
    rules: Rules,
    *,
    event_id: UUID,
    region_code: str,
    kind: str,
    context: dict[str, str],
) -> None:
    """An urgent email to the supervisors of the region's province; quiet hours do not apply."""
    check_context(KINDS[kind], context)
    province = region_code[:2]
    await rules.repository(session).add(
        Notification.plan(
            event_id=event_id,
            recipient=f"supervisor:{province}",
            client_id=None,
            region_code=region_code,
            template=kind,
            language="id",
            channel="email",
            context=context,
            refusal=None,
            not_before=rules.deliver_at(rules.clock(), region_code, kind),
        )
    )


async def _announce(session: AsyncSession, scheduled: list[Notification], now: datetime) -> None:
    envelopes = []
    for n in scheduled:
        assert n.client_id is not None
        data = notify_contracts.NotificationScheduled(
            notification_id=n.id,
            client_id=n.client_id,
            region_code=n.region_code,
            answers_event_id=n.event_id,
            template=n.template,
            language=n.language,
            scheduled_at=now,
            channel=n.channel,
            not_before=n.not_before,
        )
        envelopes.append(
            Envelope(
                type=data.TYPE,
                source=notify_contracts.SOURCE,
                subject=f"notification/{n.id}",
                key=str(n.client_id),
                data=data.to_data(),
            )
        )
    if envelopes:
        await add_to_outbox(session, orm.outbox, notify_contracts.TOPIC, envelopes)
