"""Training's unit of work: its repositories, its outbox and its publishing translator.

Handlers see only what this class declares; the repositories are typed by what handlers ask
of them, so a test can put in-memory ones in their place (tests/unit/training_fakes.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import RegionScope
from shared.unit_of_work import Published, UnitOfWork
from training.adapters import orm, publishing
from training.adapters.clients import ClientDirectory, ClientFacts
from training.adapters.repository import (
    AttendanceImportRepository,
    CertificateRepository,
    Imported,
    ProgrammeRepository,
    RecordRepository,
    TrainingSessionRepository,
)
from training.domain.programme import Programme
from training.domain.training_session import TrainingSession


class Programmes(Protocol):
    async def put(self, programme: Programme) -> None: ...
    async def get(self, code: str) -> Programme | None: ...
    async def every(self) -> list[dict[str, Any]]: ...


class TrainingSessions(Protocol):
    async def add(self, training: TrainingSession) -> None: ...
    async def get(
        self, session_id: UUID, scope: RegionScope, *, lock: bool = True
    ) -> TrainingSession | None: ...
    async def save(self, training: TrainingSession) -> None: ...
    async def anonymise(self, participant: str) -> None: ...
    async def upcoming(
        self,
        scope: RegionScope,
        starting_from: date,
        limit: int,
        after: tuple[datetime, UUID] | None,
    ) -> list[dict[str, Any]]: ...


class Clients(Protocol):
    async def get(self, client_id: UUID) -> ClientFacts | None: ...
    async def many(self, client_ids: Sequence[UUID]) -> dict[UUID, ClientFacts]: ...
    async def remember(self, client_id: UUID, facts: ClientFacts) -> None: ...
    async def move(self, client_id: UUID, region_code: str) -> None: ...
    async def forget(self, client_id: UUID) -> None: ...


class Records(Protocol):
    async def records_of(self, participant: str) -> list[dict[str, Any]]: ...
    async def officers_records(self, scope: RegionScope) -> list[dict[str, Any]]: ...


class Certificates(Protocol):
    async def of_session(self, session_id: UUID, scope: RegionScope) -> list[dict[str, Any]]: ...
    async def add(
        self, code: str, shown: str, programme: Programme, training: TrainingSession, on: date
    ) -> None: ...
    async def get(self, code: str) -> dict[str, Any] | None: ...
    async def revoke_of(self, participant: str) -> None: ...


class AttendanceImports(Protocol):
    async def find(self, session_id: UUID, digest: str) -> Imported | None: ...
    async def add(
        self, imported: Imported, session_id: UUID, digest: str, filename: str, by: str
    ) -> None: ...


class TrainingUnitOfWork(UnitOfWork):
    outbox = orm.outbox
    programmes: Programmes
    training_sessions: TrainingSessions
    clients: Clients
    records: Records
    certificates: Certificates
    imports: AttendanceImports

    def bind(self, session: AsyncSession) -> None:
        self.programmes = ProgrammeRepository(session)
        self.training_sessions = TrainingSessionRepository(session)
        self.clients = ClientDirectory(session)
        self.records = RecordRepository(session)
        self.certificates = CertificateRepository(session)
        self.imports = AttendanceImportRepository(session)

    def translate(self, aggregate: Any, event: Any) -> Iterable[Published]:
        return publishing.integration_events(aggregate, event)
