"""Sending what is due: claim, send, record — with retries, dead letters and rate limits.

Each message is claimed (`sending`, under a lease) and committed before it is sent, and its
result recorded in a second transaction. A sender that dies between the two leaves the row
`sending`; when the lease runs out it is claimed and sent again with the same idempotency key
(the notification id), which the provider and the mail store recognise (decision 0008).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from opentelemetry import metrics
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notify.adapters.channels import Channel, DeliveryFailed, Outgoing, RateLimiter
from notify.adapters.templates import render
from notify.domain.events import MessageGivenUp
from notify.domain.messages import PersonalDataInMessage
from notify.domain.model import ADMINISTRATORS, OFFICER, Notification, RetryPolicy
from notify.service_layer.planning import Rules
from notify.service_layer.unit_of_work import NotifyUnitOfWork

log = logging.getLogger(__name__)
# Sent, retried and failed messages by channel: what the on-call engineer watches.
_attempts = metrics.get_meter("jembatan.notify").create_counter(
    "jembatan.notifications.attempts", unit="{message}", description="send attempts by result"
)


@dataclass
class Dispatcher:
    """Sends due messages through their channels and records each result.

    `after_send`, when given, is awaited once a channel has taken a message and before the
    send is recorded: the moment that decides whether a message could be sent twice.
    """

    sessions: async_sessionmaker[AsyncSession]
    rules: Rules
    channels: Mapping[str, Channel]
    limits: Mapping[str, RateLimiter]
    policy: RetryPolicy
    lease: timedelta
    batch: int = 50
    after_send: Callable[[], Awaitable[None]] | None = None

    async def dispatch_due(self, now: datetime | None = None) -> int:
        """Send every due message (one batch); returns how many were attempted."""
        now = now or self.rules.clock()
        async with self.sessions.begin() as session:
            claimed = await self.rules.repository(session).claim_due(now, self.lease, self.batch)
        await asyncio.gather(*(self._send(n) for n in claimed))
        return len(claimed)

    async def _send(self, notification: Notification) -> None:
        try:
            outgoing = await self._compose(notification)
        except DeliveryFailed as failure:  # the officer's address could not be looked up
            await self._failed(notification, failure)
            return
        except PersonalDataInMessage:
            await self._give_up(notification, "personal_data_in_message")
            return
        except Exception as exc:  # a bad template, a context it cannot take, a lost key:
            # retrying cannot help, and a row left `sending` would be claimed for ever
            await self._give_up(notification, f"unrenderable_{type(exc).__name__}")
            return
        if outgoing is None:
            async with self.sessions.begin() as session:
                await self.rules.repository(session).suppress(notification.id, "no_address")
            return
        limiter = self.limits.get(notification.channel)
        if limiter is not None:
            await limiter.acquire()
        try:
            provider_id = await self.channels[notification.channel].send(outgoing)
        except DeliveryFailed as failure:
            await self._failed(notification, failure)
            return
        if self.after_send is not None:
            await self.after_send()
        async with self.sessions.begin() as session:
            await self.rules.repository(session).mark_sent(
                notification.id, provider_id, self.rules.clock()
            )
        _attempts.add(1, {"channel": notification.channel, "result": "sent"})
        log.info(
            "notification sent",
            extra={
                "notification_id": str(notification.id),
                "channel": notification.channel,
                "attempt": notification.attempts,
            },
        )

    async def _compose(self, notification: Notification) -> Outgoing | None:
        if notification.client_id is not None:
            async with self.sessions() as session:
                repo = self.rules.repository(session)
                to = await repo.address(notification.client_id, notification.channel)
        elif notification.recipient == ADMINISTRATORS:
            to = self.rules.admin_alert_address
        elif notification.recipient.startswith(OFFICER):
            if self.rules.officer_address is None:
                return None
            to = await self.rules.officer_address(notification.recipient.removeprefix(OFFICER))
        else:
            province = notification.region_code[:2]
            to = self.rules.supervisor_alert_address.format(province=province)
        if to is None:
            return None
        rendered = render(notification.template, notification.language, notification.context)
        return Outgoing(notification.id, to, rendered.subject, rendered.text)

    async def _failed(self, notification: Notification, failure: DeliveryFailed) -> None:
        if failure.permanent or self.policy.exhausted(notification.attempts):
            await self._give_up(notification, failure.reason)
            return
        retry_at = self.rules.deliver_at(
            self.rules.clock() + self.policy.delay(notification.attempts),
            notification.region_code,
            notification.template,
        )
        async with self.sessions.begin() as session:
            await self.rules.repository(session).retry_later(
                notification.id, retry_at, failure.reason
            )
        _attempts.add(1, {"channel": notification.channel, "result": "retry"})
        log.warning(
            "notification will be retried",
            extra={
                "notification_id": str(notification.id),
                "channel": notification.channel,
                "attempt": notification.attempts,
                "reason": failure.reason,
            },
        )

    async def _give_up(self, notification: Notification, reason: str) -> None:
        """Failed for good: recorded, and parked on the dead-letter topic with the reason
        (`adapters/publishing.py`), in one transaction of the unit of work."""
        async with NotifyUnitOfWork(self.sessions, self.rules.contacts) as uow:
            await uow.notifications.mark_failed(notification.id, reason)
            uow.announce_event(MessageGivenUp(notification, reason))
            await uow.commit()
        _attempts.add(1, {"channel": notification.channel, "result": "failed"})
        log.error(
            "notification dead-lettered",
            extra={
                "notification_id": str(notification.id),
                "channel": notification.channel,
                "attempts": notification.attempts,
                "reason": reason,
            },
        )
