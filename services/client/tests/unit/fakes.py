"""A fake unit of work satisfying the same protocol as the real one, for handler tests.

It keeps its own interface rather than the shared recording front: `published` holds the tracked
aggregates' domain events (what a handler decided), `announced` the envelopes of no aggregate;
the translation into envelopes is `test_unit_of_work.py`'s, through the real class."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime
from types import TracebackType
from typing import Any, Self
from uuid import UUID, uuid4

from client.adapters.import_jobs import Claimed
from client.domain.consent import Consent
from client.domain.imports import ImportJob, ImportReport
from client.domain.model import Client
from client.domain.nik import Nik
from client.domain.subject_request import SubjectRequest
from shared.auth import RegionScope
from shared.messaging.envelope import Envelope

from .fake_breaches import FakeBreaches
from .fake_cases import FakeCases


class FakeRegions:
    """A few real codes; everything else unknown."""

    KNOWN = frozenset({"32", "3273", "327301", "35", "3578", "357801", "9671", "967101"})

    def exists(self, code: str) -> bool:
        return code in self.KNOWN


class FakeClients:
    """Keeps each client as registered; like the real repository, `get` hands out a copy whose
    NIK stays hidden (only `nik_of` reveals it)."""

    def __init__(self) -> None:
        self.rows: dict[UUID, Client] = {}
        self.niks: dict[UUID, Nik] = {}

    async def add(self, client: Client) -> None:
        self.rows[client.id] = client
        self.niks[client.id] = Nik(client.nik_value)

    async def add_many(self, clients: list[Client]) -> set[UUID]:
        known = {n.value for n in self.niks.values()}
        fresh = [c for c in clients if c.nik_value not in known]
        for client in fresh:
            await self.add(client)
        return {c.id for c in fresh}

    async def save(self, client: Client) -> None:
        self.rows[client.id] = client

    async def region_of_nik(self, nik: str) -> tuple[UUID, str] | None:
        return next(
            ((i, self.rows[i].region_code) for i, n in self.niks.items() if n.value == nik), None
        )

    async def nik_of(self, client_id: UUID, scope: RegionScope) -> Nik | None:
        return self.niks[client_id] if await self.get(client_id, scope) else None

    async def get(
        self, client_id: UUID, scope: RegionScope, *, lock: bool = False
    ) -> Client | None:
        client = self.rows.get(client_id)
        if client is None or not scope.allows(client.region_code):
            return None
        return dataclasses.replace(client, nik=None, events=client.events)

    async def search(
        self,
        scope: RegionScope,
        *,
        limit: int,
        after: UUID | None,
        q: str | None = None,
        nik: str | None = None,
        phone: str | None = None,
    ) -> list[Client]:
        found = [
            c
            for c in self.rows.values()
            if scope.allows(c.region_code)
            and (nik is None or self.niks[c.id].value == nik)
            and (phone is None or c.phone == phone)
            and (q is None or q.casefold() in c.full_name.casefold())
        ]
        return found[:limit]


class FakeConsents:
    def __init__(self) -> None:
        self.rows: dict[UUID, Consent] = {}

    async def add(self, consent: Consent) -> None:
        self.rows[consent.id] = consent

    async def save_withdrawal(self, consent: Consent) -> None:
        self.rows[consent.id] = consent

    async def get(self, client_id: UUID, consent_id: UUID) -> Consent | None:
        consent = self.rows.get(consent_id)
        return consent if consent and consent.client_id == client_id else None

    async def for_client(self, client_id: UUID) -> list[Consent]:
        return [c for c in self.rows.values() if c.client_id == client_id]


class FakeAudit:
    """`reads`: reads of the record itself; `parts`: reads of a part of it (what, purpose);
    `rows`: every read as the audit list answers it."""

    def __init__(self) -> None:
        self.reads: list[tuple[str, UUID, str]] = []
        self.parts: list[tuple[str, UUID, str, str]] = []
        self.references: list[str | None] = []
        self.rows: list[dict[str, Any]] = []

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
    ) -> None:
        if what == "client":
            self.reads.append((actor, client.id, purpose))
        else:
            self.parts.append((actor, client.id, what, purpose))
        self.references.append(reference)
        self.rows.append(
            {
                "actor": actor,
                "actor_username": username,
                "record_type": what,
                "record_id": client.id,
                "region_code": client.region_code,
                "purpose": purpose,
                "reference": reference,
            }
        )

    async def list(
        self, scope: RegionScope, client_id: UUID | None, limit: int
    ) -> list[dict[str, Any]]:
        found = [
            r
            for r in reversed(self.rows)
            if scope.allows(r["region_code"]) and client_id in (None, r["record_id"])
        ]
        return found[:limit]


class FakeTimeline:
    """`rows`: the entries the worker wrote."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    async def for_client(
        self, client_id: UUID, limit: int, before: datetime | None
    ) -> list[dict[str, Any]]:
        found = [
            r
            for r in self.rows
            if r["client_id"] == client_id and (before is None or r["occurred_at"] < before)
        ]
        return sorted(found, key=lambda r: r["occurred_at"], reverse=True)[:limit]


class FakeImports:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], ImportReport] = {}

    async def find(self, digest: str, scope: str) -> ImportReport | None:
        return self.rows.get((digest, scope))

    async def get(self, import_id: UUID, scope: RegionScope) -> ImportReport | None:
        return next(
            (r for (_, s), r in self.rows.items() if r.id == import_id and scope.allows(s)), None
        )

    async def add(self, report: ImportReport, *, actor: str, scope: str) -> None:
        self.rows[(report.file_sha256, scope)] = report


class FakeImportJobs:
    """Background sheet jobs in memory, with what the table keeps of each."""

    def __init__(self) -> None:
        self.rows: dict[UUID, dict[str, Any]] = {}

    async def add(
        self,
        job: ImportJob,
        *,
        scope: str,
        digest: str,
        content: bytes | None,
        actor: dict[str, Any],
    ) -> None:
        self.rows[job.id] = {
            "job": job,
            "scope": scope,
            "digest": digest,
            "content": content,
            "actor": actor,
            "attempts": 0,
        }

    async def waiting(self, digest: str, scope: str) -> ImportJob | None:
        return next(
            (
                r["job"]
                for r in self.rows.values()
                if r["digest"] == digest
                and r["scope"] == scope
                and r["job"].status in ("queued", "running")
            ),
            None,
        )

    async def get(self, job_id: UUID, scope: RegionScope) -> ImportJob | None:
        row = self.rows.get(job_id)
        return row["job"] if row and scope.allows(row["scope"]) else None

    async def claim(self, now: datetime) -> Claimed | None:
        row = next((r for r in self.rows.values() if r["job"].status == "queued"), None)
        if row is None:
            return None
        row["job"].status, row["attempts"] = "running", row["attempts"] + 1
        return Claimed(row["job"], row["content"], row["actor"], row["attempts"])

    async def progress(self, job_id: UUID, rows_total: int, rows_done: int, now: datetime) -> None:
        job = self.rows[job_id]["job"]
        job.rows_total, job.rows_done = rows_total, rows_done

    async def finish(
        self, job_id: UUID, now: datetime, *, import_id: UUID, repeated_upload: bool
    ) -> None:
        row = self.rows[job_id]
        row["job"].status, row["job"].import_id = "done", import_id
        row["job"].repeated_upload, row["content"] = repeated_upload, None

    async def fail(self, job_id: UUID, now: datetime, error: str) -> None:
        row = self.rows[job_id]
        row["job"].status, row["job"].error, row["content"] = "failed", error, None


class FakeDuplicates:
    """Flags a new client whose phone an earlier client of the regency has."""

    def __init__(self, clients: FakeClients) -> None:
        self.clients = clients
        self.flags: list[dict[str, Any]] = []

    async def flag_new(self, client_ids: list[UUID]) -> list[dict[str, Any]]:
        new = []
        for client_id in client_ids:
            client = self.clients.rows[client_id]
            for other in self.clients.rows.values():
                if (
                    other.id != client.id
                    and other.id not in client_ids
                    and (other.region_code == client.region_code and other.phone == client.phone)
                ):
                    new.append(
                        {
                            "id": uuid4(),
                            "client_id": client.id,
                            "candidate_id": other.id,
                            "region_code": client.region_code,
                            "reason": "same_phone",
                            "flagged_at": client.registered_at,
                            "status": "open",
                        }
                    )
        self.flags += new
        return new

    async def open_flags(
        self, scope: RegionScope, limit: int, client_id: UUID | None = None
    ) -> list[dict[str, Any]]:
        named = (
            f
            for f in self.flags
            if client_id is None or client_id in (f["client_id"], f["candidate_id"])
        )
        return [f for f in named if f["status"] == "open"][:limit]

    async def get(self, flag_id: UUID, scope: RegionScope) -> dict[str, Any] | None:
        return next((f for f in self.flags if f["id"] == flag_id), None)

    async def resolve(self, flag_id: UUID, status: str, by: str, at: datetime) -> None:
        for flag in self.flags:
            if flag["id"] == flag_id:
                flag["status"] = status

    async def merge(self, merged: UUID, survivor: UUID) -> None:
        self.clients.rows[merged].merged_into = survivor


class FakeRequests:
    def __init__(self) -> None:
        self.rows: dict[UUID, SubjectRequest] = {}

    async def add(self, request: SubjectRequest) -> None:
        self.rows[request.id] = dataclasses.replace(request)

    async def save(self, request: SubjectRequest) -> None:
        self.rows[request.id] = dataclasses.replace(request)

    async def get(self, request_id: UUID, scope: RegionScope) -> SubjectRequest | None:
        found = self.rows.get(request_id)
        return dataclasses.replace(found) if found and scope.allows(found.region_code) else None

    async def find(
        self,
        scope: RegionScope,
        *,
        client_id: UUID | None,
        open_only: bool,
        due_before: datetime | None,
        limit: int,
    ) -> list[SubjectRequest]:
        found = [
            r
            for r in self.rows.values()
            if scope.allows(r.region_code)
            and (client_id is None or r.client_id == client_id)
            and (not open_only or r.done_at is None)
            and (due_before is None or r.due_at < due_before)
        ]
        return sorted(found, key=lambda r: r.due_at)[:limit]


class FakeErasures:
    def __init__(self, clients: FakeClients) -> None:
        self.clients = clients
        self.ledger: dict[UUID, UUID] = {}

    async def erase(self, client: Client, request_id: UUID, at: datetime) -> list[UUID]:
        ids = [client.id, *(c.id for c in self.clients.rows.values() if c.merged_into == client.id)]
        for client_id in ids:
            self.clients.rows.pop(client_id, None)
            self.clients.niks.pop(client_id, None)
            self.ledger[client_id] = request_id
        return ids

    async def erased(self, client_ids: list[UUID]) -> set[UUID]:
        return set(client_ids) & set(self.ledger)


class FakeStaff:
    """Portal sign-ins: subject → (username, region)."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[str, str]] = {}

    async def enlist(self, subject: str, username: str, region_code: str, at: datetime) -> None:
        self.rows[subject] = (username, region_code)

    async def within(self, scope: RegionScope) -> list[dict[str, Any]]:
        return [
            {"subject": s, "username": u, "region_code": r}
            for s, (u, r) in sorted(self.rows.items(), key=lambda kv: kv[1])
            if scope.allows(r)
        ]


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.staff = FakeStaff()
        self.clients = FakeClients()
        self.consents = FakeConsents()
        self.audit = FakeAudit()
        self.timeline = FakeTimeline()
        self.imports = FakeImports()
        self.import_jobs = FakeImportJobs()
        self.duplicates = FakeDuplicates(self.clients)
        self.cases = FakeCases()
        self.requests = FakeRequests()
        self.erasures = FakeErasures(self.clients)
        self.breaches = FakeBreaches(self.clients)
        self.announced: list[Envelope] = []
        self.published: list[object] = []
        self.committed = 0
        self._pending: list[tuple[Client, Consent | None]] = []

    async def __aenter__(self) -> Self:
        self._pending = []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        pass

    def track(self, client: Client, consent: Any = None) -> None:
        self._pending.append((client, consent))

    def announce(self, envelopes: Iterable[Envelope]) -> None:
        self.announced += envelopes

    async def commit(self) -> None:
        for client, consent in self._pending:
            source = consent if consent is not None else client
            self.published.extend(source.events)
            source.events.clear()
        self.committed += 1
