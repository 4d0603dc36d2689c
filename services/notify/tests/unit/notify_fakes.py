"""An in-memory notify for handler and reaction tests: the repository and the planning book
with the same promises as the SQL ones (region scope, one message per event, template,
recipient and channel, reports never backwards), and a recording unit of work that keeps
what would have gone to the outbox (`uow.published`).

`deliver(world, contract, data)` runs an event through the worker's own reaction table
(`reactions.routing`) in one planning `Work`, as the consumer does for a batch of one.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from notify.adapters.planbook import Recipient
from notify.adapters.repository import UpcomingSession
from notify.domain.events import MessageScheduled
from notify.domain.model import REPORTED_FROM, Notification, Reach, Report
from notify.domain.webhooks import SignedWebhook
from notify.service_layer import reactions
from notify.service_layer.bus import COMMAND_HANDLERS
from notify.service_layer.planning import Rules, Work
from notify.service_layer.unit_of_work import NotifyUnitOfWork
from shared.auth import RegionScope
from shared.contracts import Contract
from shared.messagebus import MessageBus
from shared.messaging.envelope import Envelope
from shared.unit_of_work import RecordingUnitOfWork

# 10:00 in Bandung (WIB): outside quiet hours.
NOON = datetime(2026, 12, 10, 3, 0, tzinfo=UTC)


@dataclass
class Client:
    region_code: str
    language: str = "id"
    phone: str | None = None
    email: str | None = None
    consents: dict[UUID, tuple[list[str], bool]] = field(default_factory=dict)
    restricted: bool = False

    def reach(self) -> Reach:
        live = (channels for channels, is_live in self.consents.values() if is_live)
        consented = frozenset(c for channels in live for c in channels)
        return Reach(consented, bool(self.phone), bool(self.email), self.restricted)


@dataclass
class Session:
    upcoming: UpcomingSession
    cancelled: bool = False
    reminded_for: datetime | None = None


class FakeNotifications:
    """What notify has stored: messages, clients, referral names, sessions, webhook ids."""

    def __init__(self) -> None:
        self.messages: dict[UUID, Notification] = {}
        self.clients: dict[UUID, Client] = {}
        self.names: dict[UUID, tuple[str, str]] = {}
        self.sessions: dict[UUID, Session] = {}
        self.places: dict[tuple[UUID, UUID], str] = {}
        self.webhooks: dict[tuple[str, str], datetime] = {}

    # the message log and the sender's verdicts

    async def for_client(
        self, client_id: UUID, scope: RegionScope, limit: int, before: datetime | None
    ) -> list[dict[str, Any]]:
        found = [
            n
            for n in self.messages.values()
            if n.client_id == client_id
            and scope.allows(n.region_code)
            and (before is None or (n.created_at is not None and n.created_at < before))
        ]
        found.sort(key=lambda n: (n.created_at or NOON, str(n.id)), reverse=True)
        return [_row(n) for n in found[:limit]]

    async def delivery_report(
        self, provider_message_id: str, report: Report, at: datetime, reason: str | None
    ) -> Notification | None:
        for n in self.messages.values():
            if n.provider_message_id == provider_message_id and n.status in REPORTED_FROM[report]:
                n.status = report
                n.reason = None if report == "delivered" else reason or "provider_reported_failure"
                return copy.deepcopy(n)
        return None

    async def mark_failed(self, notification_id: UUID, reason: str) -> None:
        self.messages[notification_id].status = "failed"
        self.messages[notification_id].reason = reason

    # the provider's webhooks

    async def remember_webhook(self, provider: str, webhook: SignedWebhook) -> bool:
        if (provider, webhook.webhook_id) in self.webhooks:
            return False
        self.webhooks[(provider, webhook.webhook_id)] = webhook.signed_at
        return True

    async def forget_webhooks(self, signed_before: datetime) -> int:
        old = [k for k, at in self.webhooks.items() if at < signed_before]
        for key in old:
            del self.webhooks[key]
        return len(old)

    async def clients_by_phone(self, phone: str) -> list[tuple[UUID, str]]:
        return [(i, c.region_code) for i, c in self.clients.items() if c.phone == phone]

    # referrals and training sessions

    async def put_referral_names(self, referral_id: UUID, partner: str, product: str) -> None:
        self.names.setdefault(referral_id, (partner, product))

    async def referral_names(self, referral_id: UUID) -> tuple[str, str] | None:
        return self.names.get(referral_id)

    async def put_session(
        self, session_id: UUID, title: str, region_code: str, starts_at: datetime
    ) -> None:
        upcoming = UpcomingSession(session_id, starts_at, region_code, title)
        known = self.sessions.get(session_id)
        if known is None:
            self.sessions[session_id] = Session(upcoming)
        else:
            known.upcoming = upcoming

    async def training_session(self, session_id: UUID) -> UpcomingSession | None:
        known = self.sessions.get(session_id)
        return None if known is None else known.upcoming

    async def cancel_session(self, session_id: UUID) -> None:
        if session_id in self.sessions:
            self.sessions[session_id].cancelled = True

    async def put_participant(self, session_id: UUID, client_id: UUID, status: str) -> None:
        self.places[(session_id, client_id)] = status

    async def participants(self, session_id: UUID, statuses: tuple[str, ...]) -> list[UUID]:
        return [c for (s, c), st in self.places.items() if s == session_id and st in statuses]

    async def reminded_session(self, session_id: UUID, now: datetime) -> UpcomingSession | None:
        known = self.sessions.get(session_id)
        if known is None or known.cancelled or known.upcoming.starts_at <= now:
            return None
        return known.upcoming if known.reminded_for == known.upcoming.starts_at else None

    async def sessions_to_remind(self, now: datetime, until: datetime) -> list[UpcomingSession]:
        return [
            s.upcoming
            for s in self.sessions.values()
            if not s.cancelled
            and now < s.upcoming.starts_at <= until
            and s.reminded_for != s.upcoming.starts_at
        ]

    async def mark_reminded(self, session_id: UUID, starts_at: datetime) -> None:
        self.sessions[session_id].reminded_for = starts_at


def _row(n: Notification) -> dict[str, Any]:
    at = n.created_at or NOON
    return {
        "id": n.id,
        "event_id": n.event_id,
        "client_id": n.client_id,
        "template": n.template,
        "language": n.language,
        "channel": n.channel,
        "status": n.status,
        "reason": n.reason,
        "attempts": n.attempts,
        "not_before": n.not_before,
        "created_at": at,
        "updated_at": at,
        "sent_at": None,
        "delivered_at": None,
    }


class FakeBook:
    """The planning book over the fake store: what it planned is stored at `flush`, once per
    event, template, recipient and channel; the scheduled client messages stored are
    returned for the unit of work to announce."""

    def __init__(self, store: FakeNotifications) -> None:
        self.store = store
        self._planned: list[tuple[Notification, datetime | None]] = []

    def _client(self, client_id: UUID) -> Client:
        return self.store.clients.setdefault(client_id, Client(region_code=""))

    async def load_for(self, envelopes: Any) -> None:
        pass

    async def remember_client(
        self,
        client_id: UUID,
        region_code: str,
        language: str,
        phone: str | None = None,
        email: str | None = None,
    ) -> None:
        client = self._client(client_id)
        client.region_code, client.language = region_code, language
        if phone is not None or email is not None:
            client.phone, client.email = phone, email

    async def grant(
        self, consent_id: UUID, client_id: UUID, channels: list[str], at: datetime
    ) -> None:
        self._client(client_id).consents.setdefault(consent_id, (list(channels), True))

    async def withdraw(self, consent_id: UUID, client_id: UUID, at: datetime) -> None:
        consents = self._client(client_id).consents
        if consent_id in consents:
            consents[consent_id] = (consents[consent_id][0], False)

    async def restrict(self, client_id: UUID, restricted: bool) -> None:
        self._client(client_id).restricted = restricted
        if restricted:
            self._suppress_waiting(client_id, "restricted")

    async def forget_client(self, client_id: UUID) -> None:
        self.store.clients.pop(client_id, None)
        self.store.places = {k: v for k, v in self.store.places.items() if k[1] != client_id}
        self._suppress_waiting(client_id, "erased")
        for n in self.store.messages.values():
            if n.client_id == client_id:
                n.context = {}
        self._planned = [(n, at) for n, at in self._planned if n.client_id != client_id]

    def _suppress_waiting(self, client_id: UUID, reason: str) -> None:
        for n in self.store.messages.values():
            if n.client_id == client_id and n.status == "scheduled":
                n.status, n.reason = "suppressed", reason

    async def recipient(self, client_id: UUID, fallback_region: str) -> Recipient:
        client = self._client(client_id)
        region = client.region_code or fallback_region
        return Recipient(client_id, region, client.language, client.reach())

    async def has_heard(self, client_id: UUID, template: str) -> bool:
        told = [n for n, _ in self._planned] + list(self.store.messages.values())
        return any(n.client_id == client_id and n.template == template for n in told)

    def plan(self, notification: Notification, announce_at: datetime | None = None) -> None:
        self._planned.append((notification, announce_at))

    async def flush(self) -> list[MessageScheduled]:
        scheduled = []
        for n, at in self._planned:
            key = (n.event_id, n.template, n.recipient, n.channel)
            if any((m.event_id, m.template, m.recipient, m.channel) == key for m in self.told()):
                continue
            n.created_at = n.created_at or NOON
            self.store.messages[n.id] = n
            if at is not None and n.status == "scheduled":
                scheduled.append(MessageScheduled(n, at))
        self._planned = []
        return scheduled

    def told(self) -> list[Notification]:
        return list(self.store.messages.values())


class FakeUow(RecordingUnitOfWork, NotifyUnitOfWork):
    def __init__(self, store: FakeNotifications) -> None:
        super().__init__()
        self.notifications = store


class World:
    """One notify: its store, its unit of work (shared by every use, so what was published
    accumulates), its clock and the keys the sealed events are opened with."""

    def __init__(self, now: datetime = NOON, keys: Any = None) -> None:
        self.store = FakeNotifications()
        self.uow = FakeUow(self.store)
        self.now = now
        self.keys = keys
        self.rules = Rules(contacts=None, clock=lambda: self.now)  # type: ignore[arg-type]
        self.bus: MessageBus[NotifyUnitOfWork] = MessageBus(
            commands=COMMAND_HANDLERS, uow=lambda: self.uow
        )

    def types_published(self) -> list[tuple[str, str]]:
        return [(topic, envelope.type) for topic, envelope in self.uow.published]

    def messages(self, template: str | None = None) -> list[Notification]:
        return [m for m in self.store.messages.values() if template in (None, m.template)]

    def later(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def envelope_of(contract: type[Contract], **changes: Any) -> Envelope:
    """The contract's example (as another service would send it) with `changes`."""
    data = copy.deepcopy(contract.EXAMPLE) | {k: _plain(v) for k, v in changes.items()}
    return Envelope(type=contract.TYPE, source="/test", subject="test", key=str(uuid4()), data=data)


def _plain(value: Any) -> Any:
    if isinstance(value, UUID | datetime):
        return value.isoformat() if isinstance(value, datetime) else str(value)
    return value


async def deliver(world: World, contract: type[Contract], **changes: Any) -> Envelope:
    """Run one event through the worker's reaction table in one planning `Work`."""
    envelope = envelope_of(contract, **changes)
    reaction = reactions.routing(world.keys)[contract.TOPIC][contract.TYPE]
    work = Work(session=None, rules=world.rules, book=FakeBook(world.store), uow=world.uow)  # type: ignore[arg-type]
    await reaction(work, envelope)
    await work.finish()
    return envelope
