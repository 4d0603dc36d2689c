"""Persistence of training: programmes, sessions with their enrolments, certificates, imports.

Every read of a session goes through the caller's region scope; a session outside it is simply
not found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from fractions import Fraction
from typing import Any
from uuid import UUID

from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import RegionScope
from shared.messaging.envelope import Envelope
from shared.messaging.outbox import add_to_outbox
from training.adapters import orm
from training.domain.programme import CompletionRule, Programme
from training.domain.session import Enrolment, Session


@dataclass(frozen=True)
class ClientFacts:
    region_code: str
    initials: str


@dataclass(frozen=True)
class Imported:
    """An attendance sheet already applied to a session."""

    id: UUID
    rows: int
    recorded: int
    rejected: list[dict[str, Any]]


class TrainingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # programmes

    async def put_programme(self, programme: Programme) -> None:
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

    async def programme(self, code: str) -> Programme | None:
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

    async def programmes(self) -> list[dict[str, Any]]:
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

    # sessions

    async def add(self, session: Session) -> None:
        await self._session.execute(insert(orm.sessions).values(**_session_row(session)))

    async def get(
        self, session_id: UUID, scope: RegionScope, *, lock: bool = True
    ) -> Session | None:
        """The session with every enrolment, locked for this transaction's changes unless
        it is only read."""
        query = select(orm.sessions).where(
            orm.sessions.c.id == session_id, scope.filter(orm.sessions.c.region_code)
        )
        row = (await self._session.execute(query.with_for_update() if lock else query)).first()
        if row is None:
            return None
        loaded = Session(
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

    async def save(self, session: Session) -> None:
        """Write the session and all its enrolments back (one statement for the enrolments)."""
        row = _session_row(session)
        await self._session.execute(
            update(orm.sessions).where(orm.sessions.c.id == session.id).values(**row)
        )
        if not session.enrolments:
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
                    "session_id": session.id,
                    "participant": e.participant,
                    "status": e.status,
                    "at": e.at,
                    "attended": sorted(d.isoformat() for d in e.attended),
                    "pre_score": e.pre_score,
                    "post_score": e.post_score,
                    "completed_at": e.completed_at,
                    "certificate_code": e.certificate_code,
                }
                for e in session.enrolments
            ],
        )

    async def sessions(
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

    # participants

    async def client(self, client_id: UUID) -> ClientFacts | None:
        row = (
            await self._session.execute(
                select(orm.client_facts).where(orm.client_facts.c.client_id == client_id)
            )
        ).first()
        return None if row is None else ClientFacts(row.region_code, row.initials)

    async def clients(self, client_ids: Sequence[UUID]) -> dict[UUID, ClientFacts]:
        rows = await self._session.execute(
            select(orm.client_facts).where(orm.client_facts.c.client_id.in_(client_ids))
        )
        return {r.client_id: ClientFacts(r.region_code, r.initials) for r in rows}

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

    # certificates

    async def certificates_of(self, session_id: UUID, scope: RegionScope) -> list[dict[str, Any]]:
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

    async def add_certificate(
        self, code: str, shown: str, programme: Programme, session: Session, on: date
    ) -> None:
        await self._session.execute(
            insert(orm.certificates).values(
                code=code,
                initials=shown,
                programme_code=programme.code,
                programme_title=programme.title,
                completed_on=on,
                valid=True,
                session_id=session.id,
                region_code=session.region_code,
            )
        )

    async def certificate(self, code: str) -> dict[str, Any] | None:
        row = (
            await self._session.execute(
                select(orm.certificates).where(orm.certificates.c.code == code.upper())
            )
        ).first()
        return None if row is None else dict(row._mapping)

    # attendance sheets

    async def imported(self, session_id: UUID, digest: str) -> Imported | None:
        row = (
            await self._session.execute(
                select(orm.attendance_imports).where(
                    orm.attendance_imports.c.session_id == session_id,
                    orm.attendance_imports.c.file_sha256 == digest,
                )
            )
        ).first()
        return None if row is None else Imported(row.id, row.rows, row.recorded, row.rejected)

    async def add_import(
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

    # events

    async def publish(self, topic: str, envelopes: list[Envelope]) -> None:
        await add_to_outbox(self._session, orm.outbox, topic, envelopes)


def _session_row(session: Session) -> dict[str, Any]:
    return {
        "id": session.id,
        "programme_code": session.programme_code,
        "region_code": session.region_code,
        "days": [d.isoformat() for d in session.days],
        "starts_at": session.starts_at,
        "venue": session.venue,
        "online_link": session.online_link,
        "trainer": session.trainer,
        "capacity": session.capacity,
        "cancelled": session.cancelled,
    }
