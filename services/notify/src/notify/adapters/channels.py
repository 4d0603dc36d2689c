"""The ways a message leaves: email over SMTP, SMS and WhatsApp through a provider's HTTP API.

Every channel takes the notification id as its idempotency key: the provider is asked to
accept a key once (`Idempotency-Key`), and an email carries it as its `Message-ID`, so a
message resent after a crash (sent, but not yet recorded) is recognised as the same message.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol
from uuid import UUID

import aiosmtplib
import httpx


class DeliveryFailed(Exception):
    """The channel did not take the message; `permanent` failures are not retried."""

    def __init__(self, reason: str, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


@dataclass(frozen=True)
class Outgoing:
    id: UUID
    to: str
    subject: str
    text: str


class Channel(Protocol):
    name: str

    async def send(self, message: Outgoing) -> str:
        """Hand the message over; returns the provider's message id."""
        ...


class EmailChannel:
    name = "email"

    def __init__(self, host: str, port: int, sender: str, domain: str) -> None:
        self._host, self._port, self._sender, self._domain = host, port, sender, domain

    async def send(self, message: Outgoing) -> str:
        mail = EmailMessage()
        message_id = f"<{message.id}@{self._domain}>"
        mail["Message-ID"] = message_id
        mail["From"] = self._sender
        mail["To"] = message.to
        mail["Subject"] = message.subject
        mail.set_content(message.text)
        try:
            await aiosmtplib.send(mail, hostname=self._host, port=self._port, timeout=10)
        except aiosmtplib.SMTPRecipientsRefused:
            raise DeliveryFailed("smtp_recipient_refused", permanent=True) from None
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise DeliveryFailed(f"smtp_{type(exc).__name__}") from None
        return message_id


class ProviderChannel:
    """SMS or WhatsApp through the provider's `POST /v1/messages` (docs/notifications.md)."""

    def __init__(
        self, name: str, http: httpx.AsyncClient, api_key: str, callback_url: str | None
    ) -> None:
        self.name = name
        self._http, self._api_key, self._callback_url = http, api_key, callback_url

    async def send(self, message: Outgoing) -> str:
        try:
            answer = await self._http.post(
                "/v1/messages",
                json={
                    "channel": self.name,
                    "to": message.to,
                    "text": message.text,
                    "reference": str(message.id),
                    "callback_url": self._callback_url,
                },
                headers={
                    "Authorization": f"Bearer {self._api_key}",
                    "Idempotency-Key": str(message.id),
                },
            )
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"provider_unreachable_{type(exc).__name__}") from None
        if answer.status_code in (200, 201, 202):
            try:
                return str(answer.json()["message_id"])
            except (ValueError, KeyError, TypeError):
                raise DeliveryFailed("provider_bad_answer") from None
        permanent = 400 <= answer.status_code < 500 and answer.status_code not in (408, 429)
        raise DeliveryFailed(f"provider_http_{answer.status_code}", permanent=permanent)


class RateLimiter:
    """A token bucket per provider: at most `rate` messages a second, bursts of `burst`."""

    def __init__(self, rate: float, burst: int) -> None:
        self._rate, self._burst = rate, float(burst)
        self._tokens, self._at = float(burst), time.monotonic()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = time.monotonic()
                self._tokens = min(self._burst, self._tokens + (now - self._at) * self._rate)
                self._at = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await asyncio.sleep((1 - self._tokens) / self._rate)
