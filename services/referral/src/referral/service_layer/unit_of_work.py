"""Referral's unit of work: its repositories, its outbox and its publishing translator.

The shared commit writes what was announced (offers, erasure requests: events that need more
than the referral to say) and the tracked referrals' events. Referral adds one rule: nothing
more is written for an offboarded partner's topic, which is gone with its access (its
referrals still end, expire and are erased on `referral.events`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from referral.adapters import orm, publishing
from referral.adapters.repositories.catalogue import Catalogue
from referral.adapters.repositories.erasures import Erasures
from referral.adapters.repositories.projections import Projections
from referral.adapters.repositories.referrals import Referrals
from shared.contracts import partner as partner_contracts
from shared.contracts.referral import TOPIC
from shared.messaging.envelope import Envelope
from shared.unit_of_work import Published, UnitOfWork


class ReferralUnitOfWork(UnitOfWork):
    """Used by the API (own session) and by consumers (`joining` the inbox's session)."""

    outbox = orm.outbox
    catalogue: Catalogue
    projections: Projections
    referrals: Referrals
    erasures: Erasures

    def bind(self, session: AsyncSession) -> None:
        self.catalogue = Catalogue(session)
        self.projections = Projections(session)
        self.referrals = Referrals(session)
        self.erasures = Erasures(session)

    def translate(self, aggregate: Any, event: Any) -> Iterable[Published]:
        return publishing.envelopes(aggregate, event)

    def announce(self, topic: str, envelope: Envelope) -> None:
        """One integration event of no aggregate (an offer, an escalation), at commit."""
        self.announce_to(topic, [envelope])

    async def publishable(self, events: list[Published]) -> list[Published]:
        """Everything but what is bound for an offboarded partner's topic."""
        if all(topic == TOPIC for topic, _ in events):
            return events
        gone = {partner_contracts.topic_for(c) for c in await self.catalogue.offboarded()}
        return [(topic, e) for topic, e in events if topic not in gone]

    async def discard_unpublished(self, topic: str) -> int:
        """Drop the outbox rows still waiting for `topic` (an offboarded partner's: the topic
        is gone, and what they carry must not wait at rest for ever); how many. A row the
        relay is sending right now is locked: this waits, then finds it published."""
        outbox = orm.outbox.c
        result = await self.session.execute(
            delete(orm.outbox).where(outbox.topic == topic, outbox.published_at.is_(None))
        )
        return int(getattr(result, "rowcount", 0) or 0)
