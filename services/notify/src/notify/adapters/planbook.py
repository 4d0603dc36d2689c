"""What one consumer transaction knows of its clients, and the messages it plans, written in bulk.

The notify worker handles events a batch per transaction (`shared.messaging.consumer`). The
book loads what it needs for the batch's clients in three queries, lets each event read what
the events before it in the batch wrote, and writes it all with one statement per table
before the transaction commits. Events handled one at a time use the same book (a batch of
one), so there is one way of planning, not two.

Only the projections every event reads go through the book: client facts, notification
consents and what a client has already been told. Sessions, participants and referral names
are read and written at once through `NotificationRepository`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from notify.adapters import orm
from notify.adapters.contacts import ContactProtector
from notify.domain.events import MessageScheduled
from notify.domain.model import Notification, Reach
from shared.db import BulkInsert, any_of
from shared.messaging.envelope import Envelope

_CONTACT_COLUMNS = ("phone_ciphertext", "phone_index", "email_ciphertext")


def _facts_upsert(contacts: bool) -> BulkInsert:
    """Client facts, replacing the stored ones; with or without the contact columns (a
    client whose event carried no contacts keeps the stored ones)."""
    updated = ("region_code", "language") + (_CONTACT_COLUMNS if contacts else ())
    return BulkInsert(
        orm.client_facts,
        ("client_id", *updated),
        lambda insert: insert.on_conflict_do_update(
            index_elements=["client_id"],
            set_={column: insert.excluded[column] for column in updated},
        ),
    )


_WRITE_FACTS = {contacts: _facts_upsert(contacts) for contacts in (True, False)}
_GRANT = BulkInsert(
    orm.notification_consents,
    ("consent_id", "client_id", "channels", "granted_at"),
    lambda insert: insert.on_conflict_do_nothing(),
)
_PLAN = BulkInsert(
    orm.notifications,
    (
        "id",
        "event_id",
        "recipient",
        "client_id",
        "region_code",
        "template",
        "language",
        "channel",
        "context",
        "status",
        "reason",
        "not_before",
    ),
    lambda insert: insert.on_conflict_do_nothing(
        index_elements=["event_id", "template", "recipient", "channel"]
    ).returning(orm.notifications.c.id),
)


@dataclass(frozen=True)
class Recipient:
    client_id: UUID
    region_code: str
    language: str
    reach: Reach


@dataclass
class _Known:
    """One client as this transaction sees it."""

    region_code: str | None = None  # None: notify has not heard of the registration yet
    language: str = "id"
    has_phone: bool = False
    has_email: bool = False
    consents: dict[UUID, tuple[list[str], bool]] = field(default_factory=dict)  # id: channels, live
    heard: set[str] = field(default_factory=set)  # templates already planned for the client
    restricted: bool = False

    def reach(self) -> Reach:
        live = (channels for channels, is_live in self.consents.values() if is_live)
        consented = frozenset(channel for channels in live for channel in channels)
        return Reach(consented, self.has_phone, self.has_email, self.restricted)


class PlanBook:
    def __init__(self, session: AsyncSession, contacts: ContactProtector) -> None:
        self._session = session
        self._contacts = contacts
        self._known: dict[UUID, _Known] = {}
        self._facts: dict[UUID, dict[str, Any]] = {}
        self._grants: list[dict[str, Any]] = []
        self._withdrawals: list[dict[str, Any]] = []
        self._planned: list[Notification] = []
        self._announcements: list[tuple[Notification, datetime]] = []

    async def load(self, client_ids: Iterable[UUID]) -> None:
        """Read what is stored of these clients (those not read yet), in three queries."""
        wanted = [c for c in dict.fromkeys(client_ids) if c not in self._known]
        if not wanted:
            return
        known = {client_id: _Known() for client_id in wanted}
        facts = orm.client_facts
        for row in await self._session.execute(
            select(
                facts.c.client_id,
                facts.c.region_code,
                facts.c.language,
                facts.c.phone_ciphertext.is_not(None).label("has_phone"),
                facts.c.email_ciphertext.is_not(None).label("has_email"),
                facts.c.restricted,
            ).where(any_of(facts.c.client_id, wanted))
        ):
            k = known[row.client_id]
            k.region_code, k.language = row.region_code, row.language
            k.has_phone, k.has_email = row.has_phone, row.has_email
            k.restricted = row.restricted
        consents = orm.notification_consents
        for row in await self._session.execute(
            select(
                consents.c.client_id,
                consents.c.consent_id,
                consents.c.channels,
                consents.c.withdrawn_at.is_(None).label("live"),
            ).where(any_of(consents.c.client_id, wanted))
        ):
            known[row.client_id].consents[row.consent_id] = (list(row.channels), row.live)
        told = orm.notifications
        for row in await self._session.execute(
            select(told.c.client_id, told.c.template)
            .distinct()
            .where(any_of(told.c.client_id, wanted))
        ):
            known[row.client_id].heard.add(row.template)
        self._known |= known

    async def load_for(self, envelopes: Sequence[Envelope]) -> None:
        """Read ahead for the clients the events name."""
        ids = []
        for envelope in envelopes:
            try:
                ids.append(UUID(str(envelope.data["client_id"])))
            except (KeyError, ValueError):
                continue  # events that name no client (sessions, escalations) read as they go
        await self.load(ids)

    async def _client(self, client_id: UUID) -> _Known:
        if client_id not in self._known:
            await self.load([client_id])
        return self._known[client_id]

    # what events tell notify

    async def remember_client(
        self,
        client_id: UUID,
        region_code: str,
        language: str,
        phone: str | None = None,
        email: str | None = None,
    ) -> None:
        """The client's region and language; their contacts too when the event carries any."""
        known = await self._client(client_id)
        known.region_code, known.language = region_code, language
        values: dict[str, Any] = {"region_code": region_code, "language": language}
        if phone is not None or email is not None:
            known.has_phone, known.has_email = bool(phone), bool(email)
            values |= {
                "phone_ciphertext": self._contacts.phone_cipher.encrypt(phone) if phone else None,
                "phone_index": self._contacts.index(phone) if phone else None,
                "email_ciphertext": self._contacts.email_cipher.encrypt(email) if email else None,
            }
        self._facts[client_id] = self._facts.get(client_id, {}) | values

    async def grant(
        self, consent_id: UUID, client_id: UUID, channels: list[str], at: datetime
    ) -> None:
        known = await self._client(client_id)
        if consent_id in known.consents:
            return  # a consent is granted once; its id is its identity
        known.consents[consent_id] = (list(channels), True)
        self._grants.append(
            {
                "consent_id": consent_id,
                "client_id": client_id,
                "channels": channels,
                "granted_at": at,
            }
        )

    async def withdraw(self, consent_id: UUID, client_id: UUID, at: datetime) -> None:
        known = await self._client(client_id)
        if consent_id in known.consents:
            known.consents[consent_id] = (known.consents[consent_id][0], False)
        self._withdrawals.append({"id": consent_id, "at": at})

    async def restrict(self, client_id: UUID, restricted: bool) -> None:
        """Plan nothing for the client while restricted, and suppress what waits to be sent."""
        known = await self._client(client_id)
        known.restricted = restricted
        await self._write_facts()  # a registration earlier in this batch: its row first
        self._facts = {}
        await self._session.execute(
            update(orm.client_facts)
            .where(orm.client_facts.c.client_id == client_id)
            .values(restricted=restricted)
        )
        if restricted:
            await self._suppress_waiting(client_id, "restricted")

    async def forget_client(self, client_id: UUID) -> None:
        """The client was erased: their contacts, consents and session places go; their
        messages keep only what they were (no context), and those waiting are suppressed."""
        self._facts.pop(client_id, None)
        await self._write_facts()
        self._facts = {}
        for table in (orm.client_facts, orm.notification_consents, orm.training_participants):
            await self._session.execute(delete(table).where(table.c.client_id == client_id))
        await self._suppress_waiting(client_id, "erased")
        told = orm.notifications
        await self._session.execute(
            update(told).where(told.c.client_id == client_id).values(context={})
        )
        self._known.pop(client_id, None)
        self._planned = [n for n in self._planned if n.client_id != client_id]

    async def _suppress_waiting(self, client_id: UUID, reason: str) -> None:
        told = orm.notifications
        await self._session.execute(
            update(told)
            .where(told.c.client_id == client_id, told.c.status == "scheduled")
            .values(status="suppressed", reason=reason, updated_at=func.now())
        )

    # what planning reads

    async def recipient(self, client_id: UUID, fallback_region: str) -> Recipient:
        """How to reach a client; before the registration arrives, the event's region and
        Indonesian, with no address."""
        known = await self._client(client_id)
        region = known.region_code or fallback_region
        return Recipient(client_id, region, known.language, known.reach())

    async def has_heard(self, client_id: UUID, template: str) -> bool:
        return template in (await self._client(client_id)).heard

    # what planning writes

    def plan(self, notification: Notification, announce_at: datetime | None = None) -> None:
        """Store the message (unless the recipient already has it for this event, template and
        channel); a scheduled client message is to be announced (`flush` says which)."""
        if notification.client_id is not None and notification.client_id in self._known:
            self._known[notification.client_id].heard.add(notification.template)
        self._planned.append(notification)
        if announce_at is not None and notification.status == "scheduled":
            self._announcements.append((notification, announce_at))

    async def flush(self) -> list[MessageScheduled]:
        """Write everything, one statement per table, in the caller's transaction; the
        scheduled client messages actually stored (not already there), for the unit of work
        to announce."""
        await self._write_facts()
        if self._grants:
            await _GRANT.execute(self._session, self._grants)
        if self._withdrawals:
            table = orm.notification_consents
            await self._session.execute(
                update(table)
                .where(table.c.consent_id == bindparam("id"))
                .values(withdrawn_at=bindparam("at")),
                self._withdrawals,
            )
        stored = await self._write_notifications()
        scheduled = [MessageScheduled(n, at) for n, at in self._announcements if n.id in stored]
        self._facts, self._grants, self._withdrawals = {}, [], []
        self._planned, self._announcements = [], []
        return scheduled

    async def _write_facts(self) -> None:
        for contacts, statement in _WRITE_FACTS.items():
            rows = [
                {"client_id": client_id, **values}
                for client_id, values in self._facts.items()
                if ("phone_index" in values) is contacts
            ]
            if rows:
                await statement.execute(self._session, rows)

    async def _write_notifications(self) -> set[UUID]:
        if not self._planned:
            return set()
        rows = [
            {
                "id": n.id,
                "event_id": n.event_id,
                "recipient": n.recipient,
                "client_id": n.client_id,
                "region_code": n.region_code,
                "template": n.template,
                "language": n.language,
                "channel": n.channel,
                "context": n.context,
                "status": n.status,
                "reason": n.reason,
                "not_before": n.not_before,
            }
            for n in self._planned
        ]
        inserted = await _PLAN.execute(self._session, rows)
        return set(inserted.scalars())
