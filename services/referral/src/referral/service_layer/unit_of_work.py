"""One use case, one transaction, with its events written to the outbox inside it."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from referral.adapters import orm, publishing
from referral.adapters.repositories.catalogue import Catalogue
from referral.adapters.repositories.erasures import Erasures
from referral.adapters.repositories.projections import Projections
from referral.adapters.repositories.referrals import Referrals
from referral.domain.referral import Referral
from shared.contracts import partner as partner_contracts
from shared.contracts.referral import TOPIC
from shared.messaging.envelope import Envelope
from shared.messaging.outbox import add_to_outbox


class UnitOfWork:
    """Used by the API (own session) and by consumers (the inbox's session)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession] | None = None,
        session: AsyncSession | None = None,
    ) -> None:
        self._sessions = sessions
        self._given = session
        self._extra: list[tuple[str, Envelope]] = []
        self._tracked: list[Referral] = []

    async def __aenter__(self) -> Self:
        if self._given is not None:
            self.session = self._given
        else:
            assert self._sessions is not None
            self.session = self._sessions()
            await self.session.begin()
        self.catalogue = Catalogue(self.session)
        self.projections = Projections(self.session)
        self.referrals = Referrals(self.session)
        self.erasures = Erasures(self.session)
        self._extra, self._tracked = [], []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._given is not None:
            return  # the consumer owns that transaction
        try:
            if self.session.in_transaction():
                await self.session.rollback()
        finally:
            await self.session.close()

    def track(self, referral: Referral) -> None:
        self._tracked.append(referral)

    def announce(self, topic: str, envelope: Envelope) -> None:
        self._extra.append((topic, envelope))

    async def flush_events(self) -> None:
        pending = list(self._extra)
        for referral in self._tracked:
            for happened in referral.events:
                pending += publishing.envelopes(referral, happened)
            referral.events.clear()
        self._extra, self._tracked = [], []
        # An offboarded partner's topic is gone with its access: nothing more is written for
        # it (its referrals still end, expire and are erased on referral.events).
        if any(t != TOPIC for t, _ in pending):
            gone = {partner_contracts.topic_for(c) for c in await self.catalogue.offboarded()}
            pending = [(t, e) for t, e in pending if t not in gone]
        for topic in dict.fromkeys(t for t, _ in pending):
            await add_to_outbox(
                self.session, orm.outbox, topic, [e for t, e in pending if t == topic]
            )

    async def discard_unpublished(self, topic: str) -> int:
        """Drop the outbox rows still waiting for `topic` (an offboarded partner's: the topic
        is gone, and what they carry must not wait at rest for ever); how many. A row the
        relay is sending right now is locked: this waits, then finds it published."""
        outbox = orm.outbox.c
        result = await self.session.execute(
            delete(orm.outbox).where(outbox.topic == topic, outbox.published_at.is_(None))
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def commit(self) -> None:
        await self.flush_events()
        if self._given is None:
            await self.session.commit()
