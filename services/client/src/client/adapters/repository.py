"""Persistence of clients and consents: rows in, aggregates out.

NIKs are encrypted and indexed here and nowhere else; every query that returns a person takes
the caller's `RegionScope`.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Select,
    Text,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from client.adapters import orm
from client.domain.case import Attachment, Case, Note, Task
from client.domain.consent import Consent
from client.domain.imports import ImportReport, Rejection
from client.domain.model import Business, Client, FinancialProfile, normalized_name
from client.domain.nik import Nik
from client.domain.subject_request import SubjectRequest
from shared.auth import RegionScope
from shared.crypto import BlindIndex, Keyring
from shared.db import BulkInsert


class NikProtector:
    """Encrypts NIKs for storage (under the newest key of the ring) and derives their lookup
    index; decrypts one only when it is to be shown (a reveal, a partner's profile)."""

    def __init__(self, cipher: Keyring, index: BlindIndex) -> None:
        self.cipher = cipher
        self.index = index


def _client_values(client: Client) -> dict[str, Any]:
    return {
        "full_name": client.full_name,
        "name_normalized": normalized_name(client.full_name),
        "phone": client.phone,
        "phone_is_mobile": client.phone_is_mobile,
        "email": client.email,
        "region_code": client.region_code,
        "preferred_language": client.preferred_language,
        "disability": client.disability,
        "financial_profile": dataclasses.asdict(client.financial_profile),
        "business": dataclasses.asdict(client.business) if client.business else None,
        "updated_at": client.updated_at,
        "version": client.version,
        "restricted": client.restricted,
    }


class ClientRepository:
    def __init__(self, session: AsyncSession, nik: NikProtector) -> None:
        self._session = session
        self._nik = nik

    async def add(self, client: Client) -> None:
        try:
            await self._insert(client)
        except IntegrityError as exc:
            if "nik_index" in str(exc.orig):
                raise DuplicateNik() from None
            raise

    async def _insert(self, client: Client) -> None:
        await self._session.execute(
            insert(orm.clients).values(
                id=client.id,
                kind=client.kind,
                nik_ciphertext=self._nik.cipher.encrypt(client.nik_value),
                nik_index=self._nik.index.digest(client.nik_value),
                nik_masked=client.nik_masked,
                birth_date=client.birth_date,
                sex=client.sex,
                nik_warnings=list(client.nik_warnings),
                region_code_set=client.region_code_set,
                registered_at=client.registered_at,
                registered_by=client.registered_by,
                **_client_values(client),
            )
        )

    async def add_many(self, clients: list[Client]) -> set[UUID]:
        """Insert those whose NIK is not registered yet; returns the ids inserted."""
        if not clients:
            return set()
        rows = [
            {
                "id": c.id,
                "kind": c.kind,
                "nik_ciphertext": self._nik.cipher.encrypt(c.nik_value),
                "nik_index": self._nik.index.digest(c.nik_value),
                "nik_masked": c.nik_masked,
                "birth_date": c.birth_date,
                "sex": c.sex,
                "nik_warnings": list(c.nik_warnings),
                "region_code_set": c.region_code_set,
                "registered_at": c.registered_at,
                "registered_by": c.registered_by,
                **_client_values(c),
            }
            for c in clients
        ]
        statement = (
            pg_insert(orm.clients)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["nik_index"])
            .returning(orm.clients.c.id)
        )
        return set((await self._session.execute(statement)).scalars())

    async def save(self, client: Client) -> None:
        """Write a changed client; `version` guards against a concurrent lost update."""
        result = await self._session.execute(
            update(orm.clients)
            .where(orm.clients.c.id == client.id, orm.clients.c.version == client.version - 1)
            .values(**_client_values(client))
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentUpdate()

    async def region_of_nik(self, nik: str) -> tuple[UUID, str] | None:
        """The id and region of the client holding `nik`, whoever may see it."""
        row = (
            await self._session.execute(
                select(orm.clients.c.id, orm.clients.c.region_code).where(
                    orm.clients.c.nik_index == self._nik.index.digest(nik)
                )
            )
        ).first()
        return (row.id, row.region_code) if row else None

    async def nik_of(self, client_id: UUID, scope: RegionScope) -> Nik | None:
        """The NIK in clear, for a reveal or a partner's profile (the caller audits it)."""
        blob = (
            await self._session.execute(
                select(orm.clients.c.nik_ciphertext).where(
                    orm.clients.c.id == client_id, scope.filter(orm.clients.c.region_code)
                )
            )
        ).scalar_one_or_none()
        return Nik(self._nik.cipher.decrypt(blob)) if blob is not None else None

    async def get(
        self, client_id: UUID, scope: RegionScope, *, lock: bool = False
    ) -> Client | None:
        query = select(orm.clients).where(
            orm.clients.c.id == client_id, scope.filter(orm.clients.c.region_code)
        )
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return self._to_client(row._mapping) if row else None

    def search_query(
        self,
        scope: RegionScope,
        *,
        limit: int,
        after: UUID | None,
        q: str | None = None,
        nik: str | None = None,
        phone: str | None = None,
    ) -> Select[Any]:
        """The search statement: region first, then exact NIK (keyed index), phone, or name."""
        query: Select[Any] = select(orm.clients).where(
            scope.filter(orm.clients.c.region_code), orm.clients.c.merged_into.is_(None)
        )
        if nik is not None:
            query = query.where(orm.clients.c.nik_index == self._nik.index.digest(nik))
        if phone is not None:
            query = query.where(orm.clients.c.phone == phone)
        if q:
            # pg_trgm word similarity (`q <% name`), served by the GIN index: a part of the
            # name matches, and so does a name typed with a mistake.
            query = query.where(
                literal(normalized_name(q), Text).op("<%")(orm.clients.c.name_normalized)
            )
        if after is not None:
            query = query.where(orm.clients.c.id > after)
        return query.order_by(orm.clients.c.id).limit(limit)

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
        query = self.search_query(scope, limit=limit, after=after, q=q, nik=nik, phone=phone)
        rows = (await self._session.execute(query)).all()
        return [self._to_client(r._mapping) for r in rows]

    def _to_client(self, row: Any) -> Client:
        business = row["business"]
        return Client(
            id=row["id"],
            kind=row["kind"],
            nik=None,
            nik_masked=row["nik_masked"],
            full_name=row["full_name"],
            birth_date=row["birth_date"],
            sex=row["sex"],
            phone=row["phone"],
            phone_is_mobile=row["phone_is_mobile"],
            email=row["email"],
            region_code=row["region_code"],
            preferred_language=row["preferred_language"],
            disability=row["disability"],
            financial_profile=FinancialProfile(**row["financial_profile"]),
            business=Business(**business) if business else None,
            nik_warnings=tuple(row["nik_warnings"]),
            region_code_set=row["region_code_set"],
            registered_at=row["registered_at"],
            registered_by=row["registered_by"],
            updated_at=row["updated_at"],
            version=row["version"],
            merged_into=row["merged_into"],
            restricted=row["restricted"],
        )


class DuplicateNik(Exception):
    """The NIK is already registered, to a client the caller may or may not see (row-level
    security hides other regions' clients, but not the unique index)."""


class ConcurrentUpdate(Exception):
    """Someone else changed the record since it was read."""


class ConsentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, consent: Consent) -> None:
        await self._session.execute(
            insert(orm.consents).values(
                id=consent.id,
                client_id=consent.client_id,
                purpose=consent.purpose,
                partner_code=consent.partner_code,
                scope=list(consent.scope),
                channels=list(consent.channels),
                text_version=consent.text_version,
                granted_at=consent.granted_at,
                granted_by=consent.granted_by,
            )
        )

    async def save_withdrawal(self, consent: Consent) -> None:
        await self._session.execute(
            update(orm.consents)
            .where(orm.consents.c.id == consent.id, orm.consents.c.withdrawn_at.is_(None))
            .values(withdrawn_at=consent.withdrawn_at, withdrawn_by=consent.withdrawn_by)
        )

    async def get(self, client_id: UUID, consent_id: UUID) -> Consent | None:
        row = (
            await self._session.execute(
                select(orm.consents)
                .where(orm.consents.c.id == consent_id, orm.consents.c.client_id == client_id)
                .with_for_update()
            )
        ).first()
        return _to_consent(row._mapping) if row else None

    async def for_client(self, client_id: UUID) -> list[Consent]:
        rows = await self._session.execute(
            select(orm.consents)
            .where(orm.consents.c.client_id == client_id)
            .order_by(orm.consents.c.granted_at.desc())
        )
        return [_to_consent(r._mapping) for r in rows]


def _to_consent(row: Any) -> Consent:
    return Consent(
        id=row["id"],
        client_id=row["client_id"],
        purpose=row["purpose"],
        partner_code=row["partner_code"],
        scope=tuple(row["scope"]),
        channels=tuple(row["channels"]),
        text_version=row["text_version"],
        granted_at=row["granted_at"],
        granted_by=row["granted_by"],
        withdrawn_at=row["withdrawn_at"],
        withdrawn_by=row["withdrawn_by"],
    )


# A page that refreshes a client's timeline every few seconds is one look, not hundreds:
# a read repeated by the same person, of the same part, for the same purpose, within this
# while is not written again. Reveals and partners' profiles are always written.
AUDIT_COALESCE = timedelta(minutes=15)


class ReadAudit:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

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
        """One audited read of `what` (the record, its consents, timeline, cases) of a client."""
        row = orm.record_reads
        values = {
            "actor": actor,
            "actor_username": username,
            "record_type": what,
            "record_id": client.id,
            "region_code": client.region_code,
            "purpose": purpose,
            "reference": reference,
        }
        if not coalesce:
            await self._session.execute(insert(row).values(**values))
            return
        recent = (
            select(row.c.id)
            .where(
                row.c.record_id == client.id,
                row.c.actor == actor,
                row.c.record_type == what,
                row.c.purpose == purpose,
                row.c.read_at > func.now() - AUDIT_COALESCE,
            )
            .exists()
        )
        columns = list(values)
        await self._session.execute(
            insert(row).from_select(
                columns,
                select(*(literal(values[c], row.c[c].type) for c in columns)).where(~recent),
            )
        )

    async def list(
        self, scope: RegionScope, client_id: UUID | None, limit: int
    ) -> list[dict[str, Any]]:
        query = select(orm.record_reads).where(scope.filter(orm.record_reads.c.region_code))
        if client_id is not None:
            query = query.where(orm.record_reads.c.record_id == client_id)
        rows = await self._session.execute(
            query.order_by(orm.record_reads.c.id.desc()).limit(limit)
        )
        return [dict(r._mapping) for r in rows]


class Timeline:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def for_client(
        self, client_id: UUID, limit: int, before: datetime | None
    ) -> list[dict[str, Any]]:
        query = select(orm.timeline_entries).where(orm.timeline_entries.c.client_id == client_id)
        if before is not None:
            query = query.where(orm.timeline_entries.c.occurred_at < before)
        rows = await self._session.execute(
            query.order_by(orm.timeline_entries.c.occurred_at.desc()).limit(limit)
        )
        return [dict(r._mapping) for r in rows]


_TIMELINE_ENTRIES = BulkInsert(
    orm.timeline_entries,
    ("client_id", "event_id", "event_type", "source", "occurred_at", "summary"),
)


class TimelineWriter:
    """The timeline entries of one consumer transaction, written in one statement at its end."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._rows: list[dict[str, Any]] = []

    def record(
        self,
        *,
        client_id: UUID,
        event_id: UUID,
        event_type: str,
        source: str,
        occurred_at: datetime,
        summary: dict[str, Any],
    ) -> None:
        self._rows.append(
            {
                "client_id": client_id,
                "event_id": event_id,
                "event_type": event_type,
                "source": source,
                "occurred_at": occurred_at,
                "summary": summary,
            }
        )

    async def flush(self) -> None:
        if self._rows:
            # What other services say of a client after the erasure stays off the timeline.
            erased = await Erasures(self._session).erased(
                list({r["client_id"] for r in self._rows})
            )
            rows = [r for r in self._rows if r["client_id"] not in erased]
            if rows:
                await _TIMELINE_ENTRIES.execute(self._session, rows)
            self._rows = []


class ImportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find(self, digest: str, scope: str) -> ImportReport | None:
        return await self._one(
            orm.client_imports.c.file_sha256 == digest, orm.client_imports.c.scope == scope
        )

    async def get(self, import_id: UUID, scope: RegionScope) -> ImportReport | None:
        """An import of the caller's region: a supervisor sees the imports of every office."""
        return await self._one(
            orm.client_imports.c.id == import_id, scope.filter(orm.client_imports.c.scope)
        )

    async def _one(self, *criteria: ColumnElement[bool]) -> ImportReport | None:
        row = (await self._session.execute(select(orm.client_imports).where(*criteria))).first()
        return _to_report(row._mapping) if row else None

    async def add(self, report: ImportReport, *, actor: str, scope: str) -> None:
        await self._session.execute(
            pg_insert(orm.client_imports)
            .values(
                id=report.id,
                file_sha256=report.file_sha256,
                scope=scope,
                filename=report.filename,
                uploaded_by=actor,
                rows=report.rows,
                registered=report.registered,
                already_registered=report.already_registered,
                rejected=[dataclasses.asdict(r) for r in report.rejected],
            )
            .on_conflict_do_nothing()  # the same sheet imported concurrently: first one wins
        )


def _to_report(row: Any) -> ImportReport:
    return ImportReport(
        id=row["id"],
        filename=row["filename"],
        file_sha256=row["file_sha256"],
        rows=row["rows"],
        registered=row["registered"],
        already_registered=row["already_registered"],
        rejected=[Rejection(**r) for r in row["rejected"]],
    )


class CaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, case: Case) -> None:
        await self._session.execute(insert(orm.cases).values(**_case_values(case)))

    async def save(self, case: Case) -> None:
        values = _case_values(case)
        result = await self._session.execute(
            update(orm.cases)
            .where(orm.cases.c.id == case.id, orm.cases.c.version < case.version)
            .values(**values)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentUpdate()

    async def get(self, case_id: UUID, scope: RegionScope) -> Case | None:
        row = (
            await self._session.execute(
                select(orm.cases)
                .where(orm.cases.c.id == case_id, scope.filter(orm.cases.c.region_code))
                .with_for_update()
            )
        ).first()
        return Case(**row._mapping) if row else None

    async def for_client(self, client_id: UUID) -> list[Case]:
        rows = await self._session.execute(
            select(orm.cases)
            .where(orm.cases.c.client_id == client_id)
            .order_by(orm.cases.c.opened_at.desc())
        )
        return [Case(**r._mapping) for r in rows]

    async def add_note(self, note: Note) -> None:
        await self._session.execute(insert(orm.case_notes).values(**dataclasses.asdict(note)))

    async def notes(self, case_id: UUID) -> list[Note]:
        rows = await self._session.execute(
            select(orm.case_notes)
            .where(orm.case_notes.c.case_id == case_id)
            .order_by(orm.case_notes.c.created_at)
        )
        return [Note(**r._mapping) for r in rows]

    async def add_task(self, task: Task) -> None:
        await self._session.execute(insert(orm.tasks).values(**dataclasses.asdict(task)))

    async def add_attachment(self, attachment: Attachment) -> None:
        await self._session.execute(
            insert(orm.case_attachments).values(**dataclasses.asdict(attachment))
        )

    async def attachments(self, case_id: UUID) -> list[Attachment]:
        rows = await self._session.execute(
            select(orm.case_attachments)
            .where(orm.case_attachments.c.case_id == case_id)
            .order_by(orm.case_attachments.c.added_at)
        )
        return [Attachment(**r._mapping) for r in rows]

    async def open_case_of(self, client_id: UUID) -> Case | None:
        row = (
            await self._session.execute(
                select(orm.cases)
                .where(orm.cases.c.client_id == client_id, orm.cases.c.status != "closed")
                .order_by(orm.cases.c.opened_at.desc())
                .limit(1)
                .with_for_update()
            )
        ).first()
        return Case(**row._mapping) if row else None

    async def tasks_falling_due(self, until: date, limit: int) -> list[tuple[Task, UUID, str]]:
        """Open, unannounced tasks due by `until`, each with its client and region; locked."""
        rows = await self._session.execute(
            select(orm.tasks, orm.cases.c.client_id, orm.cases.c.region_code)
            .join(orm.cases, orm.cases.c.id == orm.tasks.c.case_id)
            .where(
                orm.tasks.c.done_at.is_(None),
                orm.tasks.c.announced_at.is_(None),
                orm.tasks.c.due_on <= until,
            )
            .order_by(orm.tasks.c.due_on)
            .limit(limit)
            .with_for_update(of=orm.tasks, skip_locked=True)
        )
        out = []
        for r in rows:
            fields = {c.name: r._mapping[c] for c in orm.tasks.c}
            out.append((Task(**fields), r.client_id, r.region_code))
        return out

    async def mark_announced(self, task_id: UUID, at: datetime) -> None:
        await self._session.execute(
            update(orm.tasks).where(orm.tasks.c.id == task_id).values(announced_at=at)
        )

    async def task(self, task_id: UUID, case_id: UUID) -> Task | None:
        row = (
            await self._session.execute(
                select(orm.tasks)
                .where(orm.tasks.c.id == task_id, orm.tasks.c.case_id == case_id)
                .with_for_update()
            )
        ).first()
        return Task(**row._mapping) if row else None

    async def save_task(self, task: Task) -> None:
        await self._session.execute(
            update(orm.tasks).where(orm.tasks.c.id == task.id).values(**dataclasses.asdict(task))
        )

    async def tasks(self, case_id: UUID) -> list[Task]:
        rows = await self._session.execute(
            select(orm.tasks).where(orm.tasks.c.case_id == case_id).order_by(orm.tasks.c.due_on)
        )
        return [Task(**r._mapping) for r in rows]

    async def assigned_to(self, assignee: str, scope: RegionScope, limit: int) -> list[Case]:
        """Cases not closed that are assigned to `assignee`, within `scope`, newest first."""
        rows = await self._session.execute(
            select(orm.cases)
            .where(
                orm.cases.c.assigned_to == assignee,
                orm.cases.c.status != "closed",
                scope.filter(orm.cases.c.region_code),
            )
            .order_by(orm.cases.c.opened_at.desc(), orm.cases.c.id)
            .limit(limit)
        )
        return [Case(**r._mapping) for r in rows]

    async def open_tasks_of(
        self, assignee: str, scope: RegionScope, due_by: date, limit: int
    ) -> list[tuple[Task, UUID, str]]:
        """Open tasks of cases assigned to `assignee`, due by `due_by`, soonest first; each
        with its client and region."""
        rows = await self._session.execute(
            select(orm.tasks, orm.cases.c.client_id, orm.cases.c.region_code)
            .join(orm.cases, orm.cases.c.id == orm.tasks.c.case_id)
            .where(
                orm.cases.c.assigned_to == assignee,
                orm.cases.c.status != "closed",
                scope.filter(orm.cases.c.region_code),
                orm.tasks.c.done_at.is_(None),
                orm.tasks.c.due_on <= due_by,
            )
            .order_by(orm.tasks.c.due_on, orm.tasks.c.id)
            .limit(limit)
        )
        tasks = []
        for r in rows:
            fields = {k: v for k, v in r._mapping.items() if k not in ("client_id", "region_code")}
            tasks.append((Task(**fields), r.client_id, r.region_code))
        return tasks


def _case_values(case: Case) -> dict[str, Any]:
    values = dataclasses.asdict(case)
    values.pop("events")
    return values


_FLAG_NEW = text(
    """
    INSERT INTO duplicate_flags (id, client_id, candidate_id, region_code, reason)
    SELECT gen_random_uuid(), n.id, c.id, n.region_code,
           CASE WHEN c.phone = n.phone THEN 'same_phone' ELSE 'same_name_and_birth_date' END
    FROM clients n
    JOIN clients c
      ON c.region_code = n.region_code
     AND c.merged_into IS NULL
     AND (c.registered_at, c.id) < (n.registered_at, n.id)
     AND (c.phone = n.phone
          OR (c.name_normalized = n.name_normalized AND c.birth_date = n.birth_date))
    WHERE n.id = ANY(:ids)
    ON CONFLICT DO NOTHING
    RETURNING id, client_id, candidate_id, region_code, reason, flagged_at, status
    """
)


class DuplicateRepository:
    """Likely duplicates: the same phone, or the same name and birth date, in one regency."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def flag_new(self, client_ids: list[UUID]) -> list[dict[str, Any]]:
        if not client_ids:
            return []
        rows = await self._session.execute(_FLAG_NEW, {"ids": client_ids})
        return [dict(r._mapping) for r in rows]

    async def open_flags(
        self, scope: RegionScope, limit: int, client_id: UUID | None = None
    ) -> list[dict[str, Any]]:
        flags = orm.duplicate_flags
        query = (
            select(flags)
            .where(scope.filter(flags.c.region_code), flags.c.status == "open")
            .order_by(flags.c.flagged_at)
            .limit(limit)
        )
        if client_id is not None:
            query = query.where(
                or_(flags.c.client_id == client_id, flags.c.candidate_id == client_id)
            )
        rows = await self._session.execute(query)
        return [dict(r._mapping) for r in rows]

    async def get(self, flag_id: UUID, scope: RegionScope) -> dict[str, Any] | None:
        row = (
            await self._session.execute(
                select(orm.duplicate_flags)
                .where(
                    orm.duplicate_flags.c.id == flag_id,
                    scope.filter(orm.duplicate_flags.c.region_code),
                )
                .with_for_update()
            )
        ).first()
        return dict(row._mapping) if row else None

    async def resolve(self, flag_id: UUID, status: str, by: str, at: datetime) -> None:
        await self._session.execute(
            update(orm.duplicate_flags)
            .where(orm.duplicate_flags.c.id == flag_id)
            .values(status=status, resolved_by=by, resolved_at=at)
        )

    async def merge(self, merged: UUID, survivor: UUID) -> None:
        """Point the duplicate at the survivor and move its consents and cases over."""
        await self._session.execute(
            update(orm.clients).where(orm.clients.c.id == merged).values(merged_into=survivor)
        )
        for table in (orm.consents, orm.cases):
            await self._session.execute(
                update(table).where(table.c.client_id == merged).values(client_id=survivor)
            )


async def registering_officer(session: AsyncSession, client_id: UUID) -> str | None:
    return (
        await session.execute(
            select(orm.clients.c.registered_by).where(orm.clients.c.id == client_id)
        )
    ).scalar_one_or_none()


class StaffDirectory:
    """Who works where, as their tokens said when they last signed in to the portal."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def enlist(self, subject: str, username: str, region_code: str, at: datetime) -> None:
        values = {"username": username, "region_code": region_code, "seen_at": at}
        await self._session.execute(
            pg_insert(orm.staff)
            .values(subject=subject, **values)
            .on_conflict_do_update(index_elements=["subject"], set_=values)
        )

    async def within(self, scope: RegionScope) -> list[dict[str, Any]]:
        rows = await self._session.execute(
            select(orm.staff)
            .where(scope.filter(orm.staff.c.region_code))
            .order_by(orm.staff.c.username)
        )
        return [dict(r._mapping) for r in rows]


class SubjectRequests:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, request: SubjectRequest) -> None:
        await self._session.execute(
            insert(orm.subject_requests).values(**dataclasses.asdict(request))
        )

    async def save(self, request: SubjectRequest) -> None:
        await self._session.execute(
            update(orm.subject_requests)
            .where(orm.subject_requests.c.id == request.id)
            .values(done_at=request.done_at, done_by=request.done_by)
        )

    async def get(self, request_id: UUID, scope: RegionScope) -> SubjectRequest | None:
        row = (
            await self._session.execute(
                select(orm.subject_requests)
                .where(
                    orm.subject_requests.c.id == request_id,
                    scope.filter(orm.subject_requests.c.region_code),
                )
                .with_for_update()
            )
        ).first()
        return SubjectRequest(**row._mapping) if row else None

    async def find(
        self,
        scope: RegionScope,
        *,
        client_id: UUID | None,
        open_only: bool,
        due_before: datetime | None,
        limit: int,
    ) -> list[SubjectRequest]:
        table = orm.subject_requests
        query = select(table).where(scope.filter(table.c.region_code))
        if client_id is not None:
            query = query.where(table.c.client_id == client_id)
        if open_only:
            query = query.where(table.c.done_at.is_(None))
        if due_before is not None:
            query = query.where(table.c.due_at < due_before)
        rows = await self._session.execute(query.order_by(table.c.due_at, table.c.id).limit(limit))
        return [SubjectRequest(**r._mapping) for r in rows]


_ANSWER_NAMES = text("position(convert_to(:id, 'UTF8') IN body) > 0")


class Erasures:
    """Deleting what the client service keeps of a client, and the ledger that remembers it."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def erase(self, client: Client, request_id: UUID, at: datetime) -> list[UUID]:
        """Delete the client, the duplicates merged into it (the same person), and everything
        about them; returns the erased client ids. Read audits stay: they name the record
        by id only and account for who looked."""
        merged = (
            await self._session.execute(
                select(orm.clients.c.id).where(orm.clients.c.merged_into == client.id)
            )
        ).scalars()
        ids = [client.id, *merged]
        cases = select(orm.cases.c.id).where(orm.cases.c.client_id.in_(ids))
        for table in (orm.case_notes, orm.tasks, orm.case_attachments):
            await self._session.execute(delete(table).where(table.c.case_id.in_(cases)))
        await self._session.execute(delete(orm.cases).where(orm.cases.c.client_id.in_(ids)))
        await self._session.execute(delete(orm.consents).where(orm.consents.c.client_id.in_(ids)))
        flags = orm.duplicate_flags
        await self._session.execute(
            delete(flags).where(or_(flags.c.client_id.in_(ids), flags.c.candidate_id.in_(ids)))
        )
        await self._session.execute(
            delete(orm.timeline_entries).where(orm.timeline_entries.c.client_id.in_(ids))
        )
        await self._session.execute(
            delete(orm.client_keys).where(orm.client_keys.c.client_id.in_(ids))
        )
        await self._session.execute(delete(orm.clients).where(orm.clients.c.id.in_(ids)))
        # A keyed request's stored answer (kept 24 hours) may be the client's own record.
        for client_id in ids:
            await self._session.execute(
                delete(orm.idempotency_keys).where(_ANSWER_NAMES.bindparams(id=str(client_id)))
            )
        await self._session.execute(
            pg_insert(orm.client_erasures)
            .values(
                [
                    {
                        "client_id": i,
                        "region_code": client.region_code,
                        "request_id": request_id,
                        "erased_at": at,
                    }
                    for i in ids
                ]
            )
            .on_conflict_do_nothing()
        )
        return ids

    async def erased(self, client_ids: list[UUID]) -> set[UUID]:
        """Which of these clients were erased (a late event must not bring them back)."""
        if not client_ids:
            return set()
        rows = await self._session.execute(
            select(orm.client_erasures.c.client_id).where(
                orm.client_erasures.c.client_id.in_(client_ids)
            )
        )
        return set(rows.scalars())
