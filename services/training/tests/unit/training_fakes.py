"""An in-memory training unit of work for handler tests: the same repositories' promises as
the SQL ones (region scope, copies handed out, nothing kept unless saved), and the integration
events it would have written to the outbox (`uow.published`)."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID, uuid4

from shared.auth import RegionScope
from shared.unit_of_work import RecordingUnitOfWork
from training.adapters.clients import ClientFacts
from training.adapters.repository import Imported
from training.domain.programme import Programme
from training.domain.training_session import TrainingSession
from training.service_layer.unit_of_work import TrainingUnitOfWork


class FakeProgrammes:
    def __init__(self) -> None:
        self.rows: dict[str, Programme] = {}

    async def put(self, programme: Programme) -> None:
        self.rows[programme.code] = programme

    async def get(self, code: str) -> Programme | None:
        return self.rows.get(code)

    async def every(self) -> list[dict[str, Any]]:
        ordered = sorted(self.rows.values(), key=lambda p: (p.title, p.code))
        return [
            {
                "code": p.code,
                "title": p.title,
                "audience": p.audience,
                "duration_hours": p.duration_hours,
            }
            for p in ordered
        ]


class FakeTrainingSessions:
    """Keeps each session as saved; `get` hands out a copy, as a database would."""

    def __init__(self, programmes: FakeProgrammes) -> None:
        self.rows: dict[UUID, TrainingSession] = {}
        self._programmes = programmes

    @staticmethod
    def _stored(training: TrainingSession) -> TrainingSession:
        kept = copy.deepcopy(training)
        kept.events = []
        return kept

    async def add(self, training: TrainingSession) -> None:
        self.rows[training.id] = self._stored(training)

    async def get(
        self, session_id: UUID, scope: RegionScope, *, lock: bool = True
    ) -> TrainingSession | None:
        found = self.rows.get(session_id)
        if found is None or not scope.allows(found.region_code):
            return None
        loaded = copy.deepcopy(found)
        loaded.programme_title = self._programmes.rows[found.programme_code].title
        return loaded

    async def save(self, training: TrainingSession) -> None:
        assert training.id in self.rows, "saved before it was added"
        self.rows[training.id] = self._stored(training)

    async def anonymise(self, participant: str) -> None:
        for training in self.rows.values():
            for enrolment in training.enrolments:
                if enrolment.participant == participant:
                    enrolment.participant = f"erased:{uuid4()}"

    async def upcoming(
        self,
        scope: RegionScope,
        starting_from: date,
        limit: int,
        after: tuple[datetime, UUID] | None,
    ) -> list[dict[str, Any]]:
        since = datetime.combine(starting_from, time(0), tzinfo=UTC)
        found = [
            t
            for t in self.rows.values()
            if scope.allows(t.region_code)
            and t.starts_at >= since
            and (after is None or (t.starts_at, t.id) > after)
        ]
        found.sort(key=lambda t: (t.starts_at, t.id))
        return [
            {
                "id": t.id,
                "programme_code": t.programme_code,
                "programme_title": self._programmes.rows[t.programme_code].title,
                "region_code": t.region_code,
                "days": [d.isoformat() for d in t.days],
                "starts_at": t.starts_at,
                "venue": t.venue,
                "online_link": t.online_link,
                "trainer": t.trainer,
                "capacity": t.capacity,
                "cancelled": t.cancelled,
            }
            for t in found[:limit]
        ]


class FakeClients:
    def __init__(self) -> None:
        self.rows: dict[UUID, ClientFacts] = {}

    async def get(self, client_id: UUID) -> ClientFacts | None:
        return self.rows.get(client_id)

    async def many(self, client_ids: Sequence[UUID]) -> dict[UUID, ClientFacts]:
        return {i: self.rows[i] for i in client_ids if i in self.rows}

    async def remember(self, client_id: UUID, facts: ClientFacts) -> None:
        self.rows[client_id] = facts

    async def move(self, client_id: UUID, region_code: str) -> None:
        if client_id in self.rows:
            self.rows[client_id] = ClientFacts(region_code, self.rows[client_id].initials)

    async def forget(self, client_id: UUID) -> None:
        self.rows.pop(client_id, None)


class FakeRecords:
    def __init__(self, sessions: FakeTrainingSessions, programmes: FakeProgrammes) -> None:
        self._sessions = sessions
        self._programmes = programmes

    def _places(self) -> list[dict[str, Any]]:
        return [
            {
                "participant": e.participant,
                "session_id": t.id,
                "status": e.status,
                "attended": sorted(d.isoformat() for d in e.attended),
                "pre_score": e.pre_score,
                "post_score": e.post_score,
                "completed_at": e.completed_at,
                "certificate_code": e.certificate_code,
                "programme_code": t.programme_code,
                "region_code": t.region_code,
                "days": [d.isoformat() for d in t.days],
                "starts_at": t.starts_at,
                "cancelled": t.cancelled,
                "programme_title": self._programmes.rows[t.programme_code].title,
            }
            for t in sorted(self._sessions.rows.values(), key=lambda t: t.starts_at, reverse=True)
            for e in t.enrolments
        ]

    async def records_of(self, participant: str) -> list[dict[str, Any]]:
        return [p for p in self._places() if p["participant"] == participant]

    async def officers_records(self, scope: RegionScope) -> list[dict[str, Any]]:
        return [
            p
            for p in self._places()
            if p["participant"].startswith("officer:")
            and p["status"] != "cancelled"
            and scope.allows(p["region_code"])
        ]


class FakeCertificates:
    def __init__(self, sessions: FakeTrainingSessions) -> None:
        self.rows: dict[str, dict[str, Any]] = {}
        self._sessions = sessions

    async def of_session(self, session_id: UUID, scope: RegionScope) -> list[dict[str, Any]]:
        return [
            c
            for c in self.rows.values()
            if c["session_id"] == session_id and c["valid"] and scope.allows(c["region_code"])
        ]

    async def add(
        self, code: str, shown: str, programme: Programme, training: TrainingSession, on: date
    ) -> None:
        assert code not in self.rows
        self.rows[code] = {
            "code": code,
            "initials": shown,
            "programme_code": programme.code,
            "programme_title": programme.title,
            "completed_on": on,
            "valid": True,
            "session_id": training.id,
            "region_code": training.region_code,
        }

    async def get(self, code: str) -> dict[str, Any] | None:
        return self.rows.get(code.upper())

    async def revoke_of(self, participant: str) -> None:
        codes = {
            e.certificate_code
            for t in self._sessions.rows.values()
            for e in t.enrolments
            if e.participant == participant and e.certificate_code
        }
        for code in codes & set(self.rows):
            self.rows[code] |= {"initials": "", "valid": False}


class FakeImports:
    def __init__(self) -> None:
        self.rows: dict[tuple[UUID, str], Imported] = {}

    async def find(self, session_id: UUID, digest: str) -> Imported | None:
        return self.rows.get((session_id, digest))

    async def add(
        self, imported: Imported, session_id: UUID, digest: str, filename: str, by: str
    ) -> None:
        assert (session_id, digest) not in self.rows
        self.rows[(session_id, digest)] = imported


class FakeTrainingUow(RecordingUnitOfWork, TrainingUnitOfWork):
    """One instance is the whole store: pass it to handler after handler."""

    def __init__(self) -> None:
        super().__init__()
        self.programmes = programmes = FakeProgrammes()
        self.training_sessions = sessions = FakeTrainingSessions(programmes)
        self.clients = FakeClients()
        self.records = FakeRecords(sessions, programmes)
        self.certificates = FakeCertificates(sessions)
        self.imports = FakeImports()
