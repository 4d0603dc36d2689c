"""One use case, one transaction: the unit of work owns it and fills the outbox inside it.

A handler works through `async with uow:`, changes aggregates through the repositories the
unit of work offers, `track`s the aggregates it changed and calls `commit()`. The commit turns
the tracked aggregates' domain events into integration events (the service's publishing
module says which topic and envelope each becomes) and writes them to the outbox in the same
transaction as the state they announce (decision 0001). This is the only place that writes the
outbox, so no use case can change state and forget to say so, or say so without the change.

A service subclasses `UnitOfWork` and declares only:

- `outbox`: its outbox table;
- `bind(session)`: its repositories on the session;
- `translate(aggregate, event)`: its publishing translator, `(topic, Envelope)` pairs.

and, where its commit needs more, three hooks (each does nothing unless overridden):

- `prepare(tracked)`: async work the translation needs first, in the same transaction (the
  client service makes each client's data key here, to seal the person's values with it);
- `publishable(events)`: what of the events is written (referral drops those for a partner
  whose topic is gone);
- `commit_error(error)`: what a failed commit means to the business (a unique index refusing
  a second registration becomes the service's own conflict), or None to let it through.

`announce_to(topic, envelopes)` puts integration events that belong to no tracked aggregate (a
duplicate flagged, a notice to each person affected) in the same commit, ahead of the
aggregates' own.

`UnitOfWork(sessions)` opens and owns a session (the API); `UnitOfWork.joining(session)` works
inside a session someone else owns (a consumer, in the inbox's transaction): it writes the
outbox but neither commits nor closes. A test replaces the four storage hooks (`begin`,
`end`, `write_outbox`, `commit_transaction`) to keep everything in memory and record what
would have gone to the outbox.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import Any, ClassVar, Protocol, Self

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.messaging.envelope import Envelope
from shared.messaging.outbox import add_to_outbox

Published = tuple[str, Envelope]
"""An integration event and the topic it goes to."""


class Aggregate(Protocol):
    """Anything whose changes are announced: it lists its domain events until they are sent."""

    events: list[Any]


class UnitOfWork:
    outbox: ClassVar[Table]
    session: AsyncSession

    def __init__(self, sessions: async_sessionmaker[AsyncSession] | None = None) -> None:
        self._sessions = sessions
        self._given: AsyncSession | None = None
        self._tracked: list[Aggregate] = []
        self._announced: list[Published] = []
        self._loose_events: list[Any] = []

    @classmethod
    def joining(cls, session: AsyncSession) -> Self:
        """A unit of work inside `session`'s transaction, which its owner commits."""
        uow = cls()
        uow._given = session
        return uow

    # what a service declares

    def bind(self, session: AsyncSession) -> None:
        """Put the service's repositories on `session` (called at the start of each use)."""

    def translate(self, aggregate: Any, event: Any) -> Iterable[Published]:
        """The integration events one domain event becomes (none unless overridden)."""
        return ()

    async def publishable(self, events: list[Published]) -> list[Published]:
        """What of `events` is written to the outbox: all of them unless overridden (a
        service may drop those for a destination that no longer exists)."""
        return events

    async def prepare(self, tracked: Sequence[Aggregate]) -> None:
        """Called by `commit` before the tracked aggregates are translated, in the same
        transaction: fetch or make what `translate` needs (keys, say). Nothing by default."""

    def commit_error(self, error: Exception) -> Exception | None:
        """The error a failed transaction commit is raised as instead (without its cause, which
        may carry values), or None to raise `error` itself (the default)."""
        return None

    # what handlers use

    async def __aenter__(self) -> Self:
        self._tracked = []
        self._announced, self._loose_events = [], []
        await self.begin()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.end()

    def track(self, aggregate: Aggregate) -> None:
        """Announce `aggregate`'s domain events at commit (tracking twice announces once)."""
        if not any(seen is aggregate for seen in self._tracked):
            self._tracked.append(aggregate)

    def announce_to(self, topic: str, envelopes: Iterable[Envelope]) -> None:
        """Publish integration events of no tracked aggregate on `topic` at commit, before the
        tracked aggregates' events and in the order announced."""
        self._announced.extend((topic, envelope) for envelope in envelopes)

    def announce_event(self, event: Any) -> None:
        """Announce at commit a domain event that belongs to no tracked aggregate (a reply
        that names clients, a message given up on): translated as `translate(None, event)`,
        after the tracked aggregates' events, in the order announced."""
        self._loose_events.append(event)

    def collect(self) -> list[Published]:
        """The announced integration events, then the tracked aggregates' events, then the
        announced domain events, as integration events in that order; all are emptied so
        nothing is announced twice."""
        published, self._announced = self._announced, []
        for aggregate in self._tracked:
            for event in aggregate.events:
                published.extend(self.translate(aggregate, event))
            aggregate.events.clear()
        for event in self._loose_events:
            published.extend(self.translate(None, event))
        self._tracked, self._loose_events = [], []
        return published

    async def commit(self) -> None:
        await self.prepare(list(self._tracked))
        await self.write_outbox(await self.publishable(self.collect()))
        try:
            await self.commit_transaction()
        except Exception as exc:
            instead = self.commit_error(exc)
            if instead is None:
                raise
            raise instead from None

    # storage: a session from the factory, or the one given; tests replace these

    async def begin(self) -> None:
        if self._given is not None:
            self.session = self._given
        else:
            if self._sessions is None:
                raise RuntimeError("a unit of work needs a session factory or a session")
            self.session = self._sessions()
            await self.session.begin()
        self.bind(self.session)

    async def end(self) -> None:
        """Roll back what was not committed and close; a joined session is left to its owner."""
        if self._given is not None:
            return
        try:
            if self.session.in_transaction():
                await self.session.rollback()
        finally:
            await self.session.close()

    async def write_outbox(self, published: Sequence[Published]) -> None:
        """One insert per topic, topics in the order their first event came."""
        for topic in dict.fromkeys(t for t, _ in published):
            await add_to_outbox(
                self.session, self.outbox, topic, [e for t, e in published if t == topic]
            )

    async def commit_transaction(self) -> None:
        if self._given is None:
            await self.session.commit()


class RecordingUnitOfWork(UnitOfWork):
    """For handler tests, mixed in front of a service's unit of work
    (`class FakeUow(RecordingUnitOfWork, TrainingUnitOfWork)`): no database, the repositories
    are whatever the test puts there, `published` keeps what would have gone to the outbox
    (in order) and `commits` counts the commits."""

    def __init__(self) -> None:
        super().__init__()
        self.published: list[Published] = []
        self.commits = 0

    async def begin(self) -> None:
        pass

    async def end(self) -> None:
        pass

    async def write_outbox(self, published: Sequence[Published]) -> None:
        self.published.extend(published)

    async def commit_transaction(self) -> None:
        self.commits += 1
