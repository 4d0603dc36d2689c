"""Persistence of training: programmes, sessions with their enrolments, certificates, imports.

One repository per kind of record, each on the unit of work's session. Every read of a session
goes through the caller's region scope; a session outside it is simply not found.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from fractions import Fraction
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import RegionScope
from training.adapters import orm
from training.domain.programme import CompletionRule, Programme
from training.domain.training_session import Enrolment, TrainingSession


@dataclass(frozen=True)
class Imported:
    """An attendance sheet already applied to a session."""

    id: UUID
    rows: int
    recorded: int
    rejected: list[dict[str, Any]]


class _OnSession:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session


class ProgrammeRepository(_OnSession):
    async def put(self, programme: Programme) -> None:
        values = {
            "title": programme.title,
            "modules": list(programme.modules),
            "duration_hours": programme.duration_hours,
            "audience": programme.audience,
            "language": programme.language,
            "min_attendance": Decimal(programme.rule.min_attendance.numerator)
            / programme.rule.min_attendance.denominator,
            "min_post_score": programme.rule.min_post_score,
        }
        await self._session.execute(
            pg_insert(orm.programmes)
            .values(code=programme.code, **values)
            .on_conflict_do_update(index_elements=["code"], set_=values)
        )

    async def get(self, code: str) -> Programme | None:
        row = (
            await self._session.execute(select(orm.programmes).where(orm.programmes.c.code == code))
        ).first()
        if row is None:
            return None
        return Programme(
            code=row.code,
            title=row.title,
            modules=tuple(row.modules),
            duration_hours=row.duration_hours,
            audience=row.audience,
            language=row.language,
            rule=CompletionRule(
                Fraction(row.min_attendance).limit_denominator(10_000), row.min_post_score
            ),
        )

    async def every(self) -> list[dict[str, Any]]:
        """Every programme, by title: what a trainer chooses from when planning a session."""
        rows = await self._session.execute(
            select(
                orm.programmes.c.code,
                orm.programmes.c.title,
                orm.programmes.c.audience,
                orm.programmes.c.duration_hours,
            ).order_by(orm.programmes.c.title, orm.programmes.c.code)
        )
        return [dict(r._mapping) for r in rows]


class TrainingSessionRepository(_OnSession):
    async def add(self, training: TrainingSession) -> None:
        await self._session.execute(insert(orm.sessions).values(**_session_row(training)))

    async def get(
        self, session_id: UUID, scope: RegionScope, *, lock: bool = True
    ) -> TrainingSession | None:
        """The session with every enrolment (and its programme's title), the session's row
        locked for this transaction's changes unless it is only read."""
        query = (
            select(orm.sessions, orm.programmes.c.title.label("programme_title"))
            .join(orm.programmes, orm.programmes.c.code == orm.sessions.c.programme_code)
            .where(orm.sessions.c.id == session_id, scope.filter(orm.sessions.c.region_code))
        )
        if lock:
            query = query.with_for_update(of=orm.sessions)
        row = (await self._session.execute(query)).first()
        if row is None:
            return None
        loaded = TrainingSession(
            row.id,
            row.programme_code,
            row.region_code,
            tuple(date.fromisoformat(d) for d in row.days),
            row.starts_at,
            row.venue,
            row.online_link,
            row.trainer,
            row.capacity,
            row.cancelled,
            row.programme_title,
        )
        enrolments = await self._session.execute(
            select(orm.enrolments)
            .where(orm.enrolments.c.session_id == session_id)
            .order_by(orm.enrolments.c.at)
        )
        loaded.enrolments = [
            Enrolment(
                e.participant,
                e.status,
                e.at,
                {date.fromisoformat(d) for d in e.attended},
                e.pre_score,
                e.post_score,
                e.completed_at,
                e.certificate_code,
            )
            for e in enrolments
        ]
        return loaded

    async def save(self, training: TrainingSession) -> None:
        """Write the session and all its enrolments back (one statement for the enrolments)."""
        row = _session_row(training)
        await self._session.execute(
            update(orm.sessions).where(orm.sessions.c.id == training.id).values(**row)
        )
        if not training.enrolments:
            return
        statement = pg_insert(orm.enrolments)
        changed = ("status", "at", "attended", "pre_score", "post_score")
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=["session_id", "participant"],
                set_={name: statement.excluded[name] for name in changed}
                | {
                    "completed_at": statement.excluded.completed_at,
                    "certificate_code": statement.excluded.certificate_code,
                },
            ),
            [
                {
                    "session_id": training.id,
                    "participant": e.participant,
                    "status": e.status,
                    "at": e.at,
                    "attended": sorted(d.isoformat() for d in e.attended),
                    "pre_score": e.pre_score,
                    "post_score": e.post_score,
                    "completed_at": e.completed_at,
                    "certificate_code": e.certificate_code,
                }
                for e in training.enrolments
            ],
        )

    async def anonymise(self, participant: str) -> None:
        """The participant's places stay counted, under a name that points to no one."""
        await self._session.execute(
            update(orm.enrolments)
            .where(orm.enrolments.c.participant == participant)
            .values(participant=f"erased:{uuid4()}")
        )

    async def upcoming(
        self,
        scope: RegionScope,
        starting_from: date,
        limit: int,
        after: tuple[datetime, UUID] | None,
    ) -> list[dict[str, Any]]:
        """Sessions of the caller's region from a day on, in time order (keyset paging)."""
        query = (
            select(
                orm.sessions,
                orm.programmes.c.title.label("programme_title"),
            )
            .join(orm.programmes, orm.programmes.c.code == orm.sessions.c.programme_code)
            .where(
                scope.filter(orm.sessions.c.region_code),
                orm.sessions.c.starts_at >= datetime.combine(starting_from, time(0), tzinfo=UTC),
            )
            .order_by(orm.sessions.c.starts_at, orm.sessions.c.id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(
                (orm.sessions.c.starts_at, orm.sessions.c.id) > after  # type: ignore[operator]
            )
        return [dict(r._mapping) for r in await self._session.execute(query)]


class RecordRepository(_OnSession):
    """Who took which training: a participant's own record, the officers' of a region."""

    async def records_of(self, participant: str) -> list[dict[str, Any]]:
        """One participant's trainings: programme, session, status, attendance, certificate."""
        rows = await self._session.execute(
            select(
                orm.enrolments.c.session_id,
                orm.enrolments.c.status,
                orm.enrolments.c.attended,
                orm.enrolments.c.pre_score,
                orm.enrolments.c.post_score,
                orm.enrolments.c.completed_at,
                orm.enrolments.c.certificate_code,
                orm.sessions.c.programme_code,
                orm.sessions.c.days,
                orm.sessions.c.starts_at,
                orm.sessions.c.cancelled,
                orm.programmes.c.title.label("programme_title"),
            )
            .join(orm.sessions, orm.sessions.c.id == orm.enrolments.c.session_id)
            .join(orm.programmes, orm.programmes.c.code == orm.sessions.c.programme_code)
            .where(orm.enrolments.c.participant == participant)
            .order_by(orm.sessions.c.starts_at.desc())
        )
        return [dict(r._mapping) for r in rows]

    async def officers_records(self, scope: RegionScope) -> list[dict[str, Any]]:
        """Every officer's place in a session of the caller's region, newest session first."""
        rows = await self._session.execute(
            select(
                orm.enrolments.c.participant,
                orm.enrolments.c.session_id,
                orm.enrolments.c.status,
                orm.enrolments.c.completed_at,
                orm.enrolments.c.certificate_code,
                orm.sessions.c.programme_code,
                orm.sessions.c.region_code,
                orm.sessions.c.starts_at,
                orm.sessions.c.cancelled,
                orm.programmes.c.title.label("programme_title"),
            )
            .join(orm.sessions, orm.sessions.c.id == orm.enrolments.c.session_id)
            .join(orm.programmes, orm.programmes.c.code == orm.sessions.c.programme_code)
            .where(
                orm.enrolments.c.participant.startswith("officer:"),
                orm.enrolments.c.status != "cancelled",
                scope.filter(orm.sessions.c.region_code),
            )
            .order_by(orm.sessions.c.starts_at.desc(), orm.enrolments.c.participant)
        )
        return [dict(r._mapping) for r in rows]


class CertificateRepository(_OnSession):
    async def of_session(self, session_id: UUID, scope: RegionScope) -> list[dict[str, Any]]:
        """The valid certificates a session of the caller's region gave, in the order they were
        earned (a certificate keeps its session's region)."""
        rows = await self._session.execute(
            select(orm.certificates)
            .join(orm.enrolments, orm.enrolments.c.certificate_code == orm.certificates.c.code)
            .where(
                orm.certificates.c.session_id == session_id,
                orm.certificates.c.valid,
                scope.filter(orm.certificates.c.region_code),
            )
            .order_by(orm.enrolments.c.completed_at, orm.certificates.c.code)
        )
        return [dict(r._mapping) for r in rows]

    async def add(
        self, code: str, shown: str, programme: Programme, training: TrainingSession, on: date
    ) -> None:
        await self._session.execute(
            insert(orm.certificates).values(
                code=code,
                initials=shown,
                programme_code=programme.code,
                programme_title=programme.title,
                completed_on=on,
                valid=True,
                session_id=training.id,
                region_code=training.region_code,
            )
        )

    async def get(self, code: str) -> dict[str, Any] | None:
        row = (
            await self._session.execute(
                select(orm.certificates).where(orm.certificates.c.code == code.upper())
            )
        ).first()
        return None if row is None else dict(row._mapping)

    async def revoke_of(self, participant: str) -> None:
        """Revoke and blank a participant's certificates (an erased client's): a verification
        then answers "not valid", naming nobody."""
        codes = select(orm.enrolments.c.certificate_code).where(
            orm.enrolments.c.participant == participant,
            orm.enrolments.c.certificate_code.is_not(None),
        )
        await self._session.execute(
            update(orm.certificates)
            .where(orm.certificates.c.code.in_(codes))
            .values(initials="", valid=False)
        )


class AttendanceImportRepository(_OnSession):
    async def find(self, session_id: UUID, digest: str) -> Imported | None:
        row = (
            await self._session.execute(
                select(orm.attendance_imports).where(
                    orm.attendance_imports.c.session_id == session_id,
                    orm.attendance_imports.c.file_sha256 == digest,
                )
            )
        ).first()
        return None if row is None else Imported(row.id, row.rows, row.recorded, row.rejected)

    async def add(
        self, imported: Imported, session_id: UUID, digest: str, filename: str, by: str
    ) -> None:
        await self._session.execute(
            insert(orm.attendance_imports).values(
                id=imported.id,
                session_id=session_id,
                file_sha256=digest,
                filename=filename,
                uploaded_by=by,
                rows=imported.rows,
                recorded=imported.recorded,
                rejected=imported.rejected,
            )
        )


def _session_row(training: TrainingSession) -> dict[str, Any]:
    return {
        "id": training.id,
        "programme_code": training.programme_code,
        "region_code": training.region_code,
        "days": [d.isoformat() for d in training.days],
        "starts_at": training.starts_at,
        "venue": training.venue,
        "online_link": training.online_link,
        "trainer": training.trainer,
        "capacity": training.capacity,
        "cancelled": training.cancelled,
    }
