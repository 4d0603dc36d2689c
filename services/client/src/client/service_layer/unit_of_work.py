"""One use case, one transaction: the unit of work owns it and writes the outbox inside it."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from client.adapters import orm, publishing
from client.adapters.repository import ClientRepository, NikProtector, ReadAudit
from client.domain.model import Client
from shared.auth import RegionScope
from shared.contracts import client as client_contracts
from shared.messaging.outbox import add_to_outbox


class DuplicateNik(Exception):
    """The NIK is already registered (to a client the caller may or may not see)."""


class Clients(Protocol):
    async def add(self, client: Client) -> None: ...
    async def region_of_nik(self, nik: str) -> tuple[UUID, str] | None: ...
    async def get(self, client_id: UUID, scope: RegionScope) -> Client | None: ...
    async def list(self, scope: RegionScope, limit: int, after: UUID | None) -> list[Client]: ...


class Audit(Protocol):
    async def record(
        self, *, actor: str, username: str | None, client: Client, purpose: str
    ) -> None: ...


class UnitOfWork(Protocol):
    @property
    def clients(self) -> Clients: ...
    @property
    def audit(self) -> Audit: ...

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def track(self, client: Client) -> None: ...
    async def commit(self) -> None: ...


class SqlUnitOfWork:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], nik: NikProtector) -> None:
        self._sessions = sessions
        self._nik = nik
        self._tracked: list[Client] = []

    async def __aenter__(self) -> Self:
        self._session = self._sessions()
        await self._session.begin()
        self.clients = ClientRepository(self._session, self._nik)
        self.audit = ReadAudit(self._session)
        self._tracked = []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._session.in_transaction():
                await self._session.rollback()
        finally:
            await self._session.close()

    def track(self, client: Client) -> None:
        """Publish this aggregate's new events with the commit."""
        self._tracked.append(client)

    async def commit(self) -> None:
        for client in self._tracked:
            await add_to_outbox(
                self._session, orm.outbox, client_contracts.TOPIC, publishing.to_envelopes(client)
            )
            client.events.clear()
        try:
            await self._session.commit()
        except IntegrityError as exc:
            if "nik_index" in str(exc.orig):
                raise DuplicateNik() from None
            raise
