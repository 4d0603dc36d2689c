"""The unit of work of the client worker's reactions: one consumer transaction, explicit.

The consumer hands a batch of new events to `reactions.in_batches`, which joins one
`SqlReactionWork` to the batch's session (`SqlReactionWork.joining(session)`); every reaction
gets it, so the timeline writer and the repositories a reaction may touch are named here
rather than carried in the session. What a reaction publishes goes through it like a
handler's: `track` a case, `announce` events of no aggregate, `commit()`, which writes them to
the outbox inside the inbox's transaction (the consumer commits that). The unit tests give the
reactions the same class with a recording front and in-memory repositories.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from client.adapters.repositories.cases import CaseRepository
from client.adapters.repositories.clients import registering_officer
from client.adapters.repositories.consents import ConsentRepository
from client.adapters.repositories.timeline import TimelineWriter
from client.domain.case import Case, Task
from client.service_layer.unit_of_work import ClientOutbox, Consents
from shared.messaging.envelope import Envelope


class TimelineEntries(Protocol):
    def record(
        self,
        *,
        client_id: UUID,
        event_id: UUID,
        event_type: str,
        source: str,
        occurred_at: datetime,
        summary: dict[str, Any],
    ) -> None: ...


class CaseFollowUps(Protocol):
    """What the reactions do with cases: find the open one, open one, add a task to it."""

    async def open_case_of(self, client_id: UUID) -> Case | None: ...
    async def add(self, case: Case) -> None: ...
    async def add_task(self, task: Task) -> None: ...


class ReactionWork(Protocol):
    @property
    def timeline(self) -> TimelineEntries: ...
    @property
    def consents(self) -> Consents: ...
    @property
    def cases(self) -> CaseFollowUps: ...

    async def registering_officer(self, client_id: UUID) -> str | None:
        """Who registered the client; None once the client is erased."""
        ...

    def track(self, case: Case) -> None:
        """Publish the case's new events on `client.events` with the commit."""
        ...

    def announce(self, envelopes: Iterable[Envelope]) -> None:
        """Publish events of no tracked aggregate on `client.events` with the commit."""
        ...

    async def commit(self) -> None:
        """Write what was tracked and announced to the outbox, in the batch's transaction."""
        ...


class SqlReactionWork(ClientOutbox):
    """The reactions' collaborators on one consumer session; `finish` before it commits."""

    timeline: TimelineEntries
    consents: Consents
    cases: CaseFollowUps

    def bind(self, session: AsyncSession) -> None:
        self._writer = TimelineWriter(session)
        self.timeline = self._writer
        self.consents = ConsentRepository(session)
        self.cases = CaseRepository(session)

    async def registering_officer(self, client_id: UUID) -> str | None:
        return await registering_officer(self.session, client_id)

    async def finish(self) -> None:
        """Write the batch's timeline entries, in one statement."""
        await self._writer.flush()
