"""The composition root of notify: engines, rules, channels and the consumer, built once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from notify.adapters import orm
from notify.adapters.channels import Channel, EmailChannel, ProviderChannel, RateLimiter
from notify.adapters.contacts import ContactProtector
from notify.adapters.staff_addresses import StaffAddresses
from notify.domain.model import RetryPolicy
from notify.service_layer.dispatch import Dispatcher
from notify.service_layer.planning import Rules
from notify.service_layer.reactions import consumed
from notify.settings import NotifySettings
from shared import db
from shared.messaging.consumer import IdempotentConsumer
from shared.sealing import DataKeys, data_keys
from shared.service_token import ServiceToken
from shared.settings import service_account


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Container:
    settings: NotifySettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    rules: Rules
    keys: DataKeys

    def consumer(self, topic: str) -> IdempotentConsumer:
        return IdempotentConsumer(
            self.settings.consumer_group,
            self.sessions,
            orm.inbox,
            consumed(self.rules, self.keys)[topic],
        )

    def dispatcher(self) -> Dispatcher:
        """The sender, with its own HTTP client (call from inside the running event loop)."""
        s = self.settings
        provider = httpx.AsyncClient(base_url=s.provider_base_url, timeout=10)
        api_key = s.provider_api_key.get_secret_value()
        channels: dict[str, Channel] = {
            "email": EmailChannel(s.smtp_host, s.smtp_port, s.mail_from, s.message_id_domain),
            "sms": ProviderChannel("sms", provider, api_key, s.provider_callback_url),
            "whatsapp": ProviderChannel("whatsapp", provider, api_key, s.provider_callback_url),
        }
        shared_limit = RateLimiter(s.provider_rate_per_second, s.provider_burst)
        return Dispatcher(
            sessions=self.sessions,
            rules=self.rules,
            channels=channels,
            # one provider carries both SMS and WhatsApp: one bucket for the two
            limits={"sms": shared_limit, "whatsapp": shared_limit},
            policy=RetryPolicy(
                s.max_attempts,
                timedelta(seconds=s.retry_base_seconds),
                timedelta(seconds=s.retry_cap_seconds),
            ),
            lease=timedelta(seconds=s.dispatch_lease_seconds),
            batch=s.dispatch_batch,
            after_send=_pause(s.fault_hold_after_send_seconds),
        )


def _pause(seconds: float) -> Callable[[], Awaitable[None]] | None:
    """The development fault setting's pause between sending a message and recording it (the
    chaos suite kills the worker in it); none when the setting is off, as it always is outside
    development (NotifySettings refuses it there)."""
    if not seconds:
        return None

    async def pause() -> None:
        await asyncio.sleep(seconds)

    return pause


def _staff_addresses(settings: NotifySettings) -> StaffAddresses:
    token_url, client_id, secret = service_account(settings)
    http = httpx.AsyncClient(timeout=10)
    token = ServiceToken(token_url, client_id, secret, http)
    return StaffAddresses(settings.client_service_url, token, http)


def build(settings: NotifySettings | None = None, *, rows: db.Rows = "all") -> Container:
    """`rows="caller"`: the API, whose transactions see only the caller's rows (decision 0011)."""
    settings = settings or NotifySettings()
    engine = db.async_engine(settings.database_url, rows=rows)
    rules = Rules(
        contacts=ContactProtector.from_secrets(
            settings.contact_encryption_key.get_secret_value(),
            settings.contact_index_key.get_secret_value(),
        ),
        clock=_now,
        supervisor_alert_address=settings.supervisor_alert_address,
        admin_alert_address=settings.admin_alert_address,
        quiet_hours=settings.quiet_hours,
        officer_address=_staff_addresses(settings).email_of,
    )
    return Container(
        settings=settings,
        engine=engine,
        sessions=db.session_factory(engine),
        rules=rules,
        keys=data_keys(settings.client_service_url, *service_account(settings)),
    )
