"""The unit of work of the client worker's reactions: one consumer transaction, explicit.

The consumer hands a batch of new events to `reactions.in_batches`, which opens one
`SqlReactionWork` on the batch's session; every reaction gets it, so the timeline writer, the
repositories and the outbox a reaction may touch are named here rather than carried in the
session. The unit tests give the reactions a fake with the same shape.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from client.adapters import orm
from client.adapters.repositories.cases import CaseRepository
from client.adapters.repositories.clients import registering_officer
from client.adapters.repositories.consents import ConsentRepository
from client.adapters.repositories.timeline import TimelineWriter
from client.domain.case import Case, Task
from client.service_layer.unit_of_work import Consents
from shared.contracts import client as client_contracts
from shared.messaging.envelope import Envelope
from shared.messaging.outbox import add_to_outbox


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

    async def publish(self, envelopes: list[Envelope]) -> None:
        """Put events on `client.events` through the outbox, in the batch's transaction."""
        ...


class SqlReactionWork:
    """The reactions' collaborators on one consumer session; `finish` before it commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.timeline = TimelineWriter(session)
        self.consents = ConsentRepository(session)
        self.cases = CaseRepository(session)

    async def registering_officer(self, client_id: UUID) -> str | None:
        return await registering_officer(self._session, client_id)

    async def publish(self, envelopes: list[Envelope]) -> None:
        await add_to_outbox(self._session, orm.outbox, client_contracts.TOPIC, envelopes)

    async def finish(self) -> None:
        """Write the batch's timeline entries, in one statement."""
        await self.timeline.flush()
