"""The client service's units of work on the shared one (`shared.unit_of_work`).

What handlers may ask of the repositories is typed here (`UnitOfWork`, a protocol the test
fakes also satisfy); `ClientOutbox` is how every client unit of work publishes on
`client.events`, and `SqlUnitOfWork` adds the repositories, the clients' data keys (made before
the events are translated, to seal the person's values) and the NIK's unique index.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Any, Protocol, Self
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from client.adapters import orm, publishing
from client.adapters.breaches import BreachRepository
from client.adapters.data_keys import DataKeyStore
from client.adapters.import_jobs import Claimed, ImportJobs
from client.adapters.repositories.audit import ReadAudit
from client.adapters.repositories.cases import CaseRepository
from client.adapters.repositories.clients import ClientRepository
from client.adapters.repositories.consents import ConsentRepository
from client.adapters.repositories.duplicates import DuplicateRepository
from client.adapters.repositories.erasures import Erasures
from client.adapters.repositories.imports import ImportRepository
from client.adapters.repositories.nik import DuplicateNik, NikProtector
from client.adapters.repositories.staff import StaffDirectory
from client.adapters.repositories.subject_requests import SubjectRequests
from client.adapters.repositories.timeline import Timeline
from client.domain.breach import AffectedClient, Breach
from client.domain.case import Attachment, Case, Note, Task
from client.domain.consent import Consent
from client.domain.imports import ImportJob, ImportReport
from client.domain.model import Client
from client.domain.nik import Nik
from client.domain.subject_request import SubjectRequest
from shared import unit_of_work as shared_uow
from shared.auth import RegionScope
from shared.contracts import client as client_contracts
from shared.crypto import Keyring
from shared.messaging.envelope import Envelope
from shared.unit_of_work import Aggregate, Published


class Clients(Protocol):
    async def add(self, client: Client) -> None: ...
    async def add_many(self, clients: list[Client]) -> set[UUID]: ...
    async def save(self, client: Client) -> None: ...
    async def region_of_nik(self, nik: str) -> tuple[UUID, str] | None: ...
    async def nik_of(self, client_id: UUID, scope: RegionScope) -> Nik | None: ...
    async def get(
        self, client_id: UUID, scope: RegionScope, *, lock: bool = False
    ) -> Client | None: ...
    async def search(
        self,
        scope: RegionScope,
        *,
        limit: int,
        after: UUID | None,
        q: str | None = None,
        nik: str | None = None,
        phone: str | None = None,
    ) -> list[Client]: ...


class ImportJobQueue(Protocol):
    """Sheets waiting to be registered in the background (`service_layer/import_jobs.py`)."""

    async def add(
        self,
        job: ImportJob,
        *,
        scope: str,
        digest: str,
        content: bytes | None,
        actor: dict[str, Any],
    ) -> None: ...
    async def waiting(self, digest: str, scope: str) -> ImportJob | None: ...
    async def get(self, job_id: UUID, scope: RegionScope) -> ImportJob | None: ...
    async def claim(self, now: datetime) -> Claimed | None: ...
    async def progress(
        self, job_id: UUID, rows_total: int, rows_done: int, now: datetime
    ) -> None: ...
    async def finish(
        self, job_id: UUID, now: datetime, *, import_id: UUID, repeated_upload: bool
    ) -> None: ...
    async def fail(self, job_id: UUID, now: datetime, error: str) -> None: ...


class Imports(Protocol):
    async def find(self, digest: str, scope: str) -> ImportReport | None: ...
    async def get(self, import_id: UUID, scope: RegionScope) -> ImportReport | None: ...
    async def add(self, report: ImportReport, *, actor: str, scope: str) -> None: ...


class Cases(Protocol):
    async def add(self, case: Case) -> None: ...
    async def save(self, case: Case) -> None: ...
    async def get(self, case_id: UUID, scope: RegionScope) -> Case | None: ...
    async def for_client(self, client_id: UUID) -> list[Case]: ...
    async def add_note(self, note: Note) -> None: ...
    async def notes(self, case_id: UUID) -> list[Note]: ...
    async def add_task(self, task: Task) -> None: ...
    async def task(self, task_id: UUID, case_id: UUID) -> Task | None: ...
    async def save_task(self, task: Task) -> None: ...
    async def tasks(self, case_id: UUID) -> list[Task]: ...
    async def open_tasks_of(
        self, assignee: str, scope: RegionScope, due_by: date, limit: int
    ) -> list[tuple[Task, UUID, str]]: ...
    async def assigned_to(self, assignee: str, scope: RegionScope, limit: int) -> list[Case]: ...
    async def add_attachment(self, attachment: Attachment) -> None: ...
    async def attachments(self, case_id: UUID) -> list[Attachment]: ...
    async def tasks_falling_due(self, until: date, limit: int) -> list[tuple[Task, UUID, str]]: ...
    async def mark_announced(self, task_id: UUID, at: datetime) -> None: ...


class Staff(Protocol):
    async def enlist(self, subject: str, username: str, region_code: str, at: datetime) -> None: ...
    async def within(self, scope: RegionScope) -> list[dict[str, Any]]: ...


class Duplicates(Protocol):
    async def flag_new(self, client_ids: list[UUID]) -> list[dict[str, Any]]: ...
    async def open_flags(
        self, scope: RegionScope, limit: int, client_id: UUID | None = None
    ) -> list[dict[str, Any]]: ...
    async def get(self, flag_id: UUID, scope: RegionScope) -> dict[str, Any] | None: ...
    async def resolve(self, flag_id: UUID, status: str, by: str, at: datetime) -> None: ...
    async def merge(self, merged: UUID, survivor: UUID) -> None: ...


class Consents(Protocol):
    async def add(self, consent: Consent) -> None: ...
    async def save_withdrawal(self, consent: Consent) -> None: ...
    async def get(self, client_id: UUID, consent_id: UUID) -> Consent | None: ...
    async def for_client(self, client_id: UUID) -> list[Consent]: ...


class Audit(Protocol):
    async def record(
        self,
        *,
        actor: str,
        username: str | None,
        client: Client,
        purpose: str,
        what: str = "client",
        reference: str | None = None,
        coalesce: bool = False,
    ) -> None: ...
    async def list(
        self, scope: RegionScope, client_id: UUID | None, limit: int
    ) -> list[dict[str, Any]]: ...


class TimelineView(Protocol):
    async def for_client(
        self, client_id: UUID, limit: int, before: datetime | None
    ) -> list[dict[str, Any]]: ...


class Requests(Protocol):
    async def add(self, request: SubjectRequest) -> None: ...
    async def save(self, request: SubjectRequest) -> None: ...
    async def get(self, request_id: UUID, scope: RegionScope) -> SubjectRequest | None: ...
    async def find(
        self,
        scope: RegionScope,
        *,
        client_id: UUID | None,
        open_only: bool,
        due_before: datetime | None,
        limit: int,
    ) -> list[SubjectRequest]: ...


class ErasureLedger(Protocol):
    async def erase(self, client: Client, request_id: UUID, at: datetime) -> list[UUID]: ...
    async def erased(self, client_ids: list[UUID]) -> set[UUID]: ...


class Breaches(Protocol):
    async def add(self, breach: Breach) -> None: ...
    async def save(self, breach: Breach) -> None: ...
    async def get(
        self, breach_id: UUID, scope: RegionScope, *, lock: bool = False
    ) -> Breach | None: ...
    async def newest(self, scope: RegionScope, limit: int, after: UUID | None) -> list[Breach]: ...
    async def late(self, now: datetime, limit: int) -> list[Breach]: ...
    async def count_affected(self, regions: Sequence[str], until: datetime) -> dict[str, int]: ...
    async def affected(
        self, breach: Breach, limit: int, after: UUID | None
    ) -> list[AffectedClient]: ...
    async def to_notify(self, breach: Breach) -> list[AffectedClient]: ...
    async def audit_reads(
        self, *, actor: str, username: str | None, breach: Breach, read: Sequence[AffectedClient]
    ) -> None: ...


class UnitOfWork(Protocol):
    @property
    def clients(self) -> Clients: ...
    @property
    def consents(self) -> Consents: ...
    @property
    def audit(self) -> Audit: ...
    @property
    def timeline(self) -> TimelineView: ...
    @property
    def imports(self) -> Imports: ...
    @property
    def import_jobs(self) -> ImportJobQueue: ...
    @property
    def cases(self) -> Cases: ...
    @property
    def duplicates(self) -> Duplicates: ...
    @property
    def staff(self) -> Staff: ...
    @property
    def requests(self) -> Requests: ...
    @property
    def erasures(self) -> ErasureLedger: ...
    @property
    def breaches(self) -> Breaches: ...

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def track(self, client: Client, part: Consent | Case | None = None) -> None: ...
    def announce(self, envelopes: Iterable[Envelope]) -> None: ...
    async def commit(self) -> None: ...


@dataclass
class ConsentOf:
    """A consent tracked with its client, whose region its events carry; its `events` are the
    consent's own list, so the commit empties that."""

    client: Client
    consent: Consent
    events: list[Any]


class ClientOutbox(shared_uow.UnitOfWork):
    """What every unit of work of the client service publishes, and how: the events of
    clients, consents and cases, and events of no aggregate, all on `client.events`.

    The person's values in a client's events are sealed under the client's data key, which
    `keys` holds for the commit being made (`SqlUnitOfWork.prepare` makes them)."""

    outbox = orm.outbox

    def __init__(self, sessions: async_sessionmaker[AsyncSession] | None = None) -> None:
        super().__init__(sessions)
        self.keys: dict[UUID, bytes] = {}

    def track(self, client: Aggregate, part: Consent | Case | None = None) -> None:
        """Publish the new events of this client (or of its consent or case) with the commit."""
        if isinstance(part, Consent):
            assert isinstance(client, Client)
            super().track(ConsentOf(client, part, part.events))
        else:
            super().track(client if part is None else part)

    def announce(self, envelopes: Iterable[Envelope]) -> None:
        """Publish events that belong to no aggregate (duplicate flags, merges) with the commit."""
        self.announce_to(client_contracts.TOPIC, envelopes)

    def collect(self) -> list[Published]:
        """The events as the base collects them; the data keys they were sealed with are not
        kept past it (key material stays in memory no longer than it is used)."""
        try:
            return super().collect()
        finally:
            self.keys = {}

    def translate(self, aggregate: Any, event: Any) -> Iterable[Published]:
        if isinstance(aggregate, Client):
            envelope = publishing.client_envelope(aggregate, event, self.keys.get(aggregate.id))
        elif isinstance(aggregate, ConsentOf):
            envelope = publishing.consent_envelope(aggregate.consent, aggregate.client, event)
        elif isinstance(aggregate, Case):
            envelope = publishing.case_envelope(aggregate, event)
        else:
            raise TypeError(f"no events of {type(aggregate).__name__} on client.events")
        yield client_contracts.TOPIC, envelope


class SqlUnitOfWork(ClientOutbox):
    """The API's and the timers' unit of work: every repository, and the clients' data keys.

    A concurrent registration of the same NIK loses on the unique index at commit; that is
    `DuplicateNik`, like the one the repository sees at insert."""

    clients: Clients
    consents: Consents
    audit: Audit
    timeline: TimelineView
    imports: Imports
    import_jobs: ImportJobQueue
    cases: Cases
    duplicates: Duplicates
    staff: Staff
    requests: Requests
    erasures: ErasureLedger
    breaches: Breaches
    data_keys: DataKeyStore

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession] | None = None,
        nik: NikProtector | None = None,
        kek: Keyring | None = None,
    ) -> None:
        super().__init__(sessions)
        self._nik = nik
        self._kek = kek

    def bind(self, session: AsyncSession) -> None:
        if self._nik is None or self._kek is None:
            raise RuntimeError("the client's unit of work needs the NIK protector and keyring")
        self.clients = ClientRepository(session, self._nik)
        self.consents = ConsentRepository(session)
        self.audit = ReadAudit(session)
        self.timeline = Timeline(session)
        self.imports = ImportRepository(session)
        self.import_jobs = ImportJobs(session)
        self.cases = CaseRepository(session)
        self.duplicates = DuplicateRepository(session)
        self.staff = StaffDirectory(session)
        self.breaches = BreachRepository(session)
        self.data_keys = DataKeyStore(session, self._kek)
        self.requests = SubjectRequests(session)
        self.erasures = Erasures(session)

    async def prepare(self, tracked: Sequence[Aggregate]) -> None:
        """The data keys of the clients whose new events carry the person's values, made now
        for a client that has none yet (a registration)."""
        self.keys = await self.data_keys.ensure(
            client.id
            for client in tracked
            if isinstance(client, Client) and publishing.carries_personal_values(client)
        )

    def commit_error(self, error: Exception) -> Exception | None:
        if isinstance(error, IntegrityError) and "nik_index" in str(error.orig):
            return DuplicateNik()
        return None
