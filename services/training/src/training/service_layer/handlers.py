"""Use cases of training: programmes, sessions, enrolment, attendance, scores, completion.

Each use case is one transaction: the session is loaded under the caller's region scope and
locked, the domain changes it, and the changes are written back together with their events
(outbox), so an answer the caller saw is never lost and never half-written.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.auth import Principal
from shared.calendar import local_now, zone_label
from shared.contracts import Contract
from shared.contracts import training as contracts
from shared.messaging.envelope import Envelope
from training.adapters.repository import TrainingRepository
from training.domain.certificate import verification_code
from training.domain.programme import Programme, knowledge_gain
from training.domain.session import InvalidSession, NotEnrolled, Session, SessionCancelled

Sessions = async_sessionmaker[AsyncSession]


class NotFound(Exception):
    pass


class BadInput(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class Conflict(Exception):
    pass


@dataclass(frozen=True)
class NewSession:
    programme_code: str
    region_code: str
    days: tuple[date, ...]
    starts_at: datetime
    trainer: str
    capacity: int
    venue: str | None
    online_link: str | None


@dataclass(frozen=True)
class Scores:
    pre: int | None = None
    post: int | None = None


async def put_programme(sessions: Sessions, programme: Programme) -> None:
    async with sessions.begin() as session:
        await TrainingRepository(session).put_programme(programme)


async def programmes(sessions: Sessions) -> list[dict[str, Any]]:
    async with sessions() as session:
        return await TrainingRepository(session).programmes()


async def schedule(sessions: Sessions, actor: Principal, new: NewSession) -> Session:
    if not actor.scope.allows(new.region_code):
        raise BadInput("region_code", "lies outside your region")
    async with sessions.begin() as session:
        repo = TrainingRepository(session)
        programme = await repo.programme(new.programme_code)
        if programme is None:
            raise BadInput("programme_code", "is not a programme")
        try:
            scheduled = Session.schedule(
                programme_code=new.programme_code,
                region_code=new.region_code,
                days=new.days,
                starts_at=new.starts_at,
                trainer=new.trainer,
                capacity=new.capacity,
                venue=new.venue,
                online_link=new.online_link,
            )
        except InvalidSession as exc:
            raise BadInput(exc.field, exc.message) from None
        await repo.add(scheduled)
        await publish_changes(repo, scheduled, programme, datetime.now(UTC))
    return scheduled


async def view(sessions: Sessions, actor: Principal, session_id: UUID) -> dict[str, Any]:
    """The session with each participant's attendance, scores and knowledge gain."""
    async with sessions() as session:
        repo = TrainingRepository(session)
        training = await repo.get(session_id, actor.scope, lock=False)  # a read waits for no one
        if training is None:
            raise NotFound()
        programme = await repo.programme(training.programme_code)
    assert programme is not None
    return describe(training, programme)


def describe(training: Session, programme: Programme) -> dict[str, Any]:
    participants = []
    gains = []
    for e in training.enrolments:
        if e.status == "cancelled":
            continue
        gain = knowledge_gain(e.pre_score, e.post_score)
        if gain is not None:
            gains.append(gain)
        participants.append(
            {
                "participant": e.participant,
                "status": e.status,
                "days_attended": sorted(d.isoformat() for d in e.attended),
                "pre_score": e.pre_score,
                "post_score": e.post_score,
                "knowledge_gain": gain,
                "completed": e.completed_at is not None,
                "certificate_code": e.certificate_code,
            }
        )
    return {
        "id": str(training.id),
        "programme_code": training.programme_code,
        "programme_title": programme.title,
        "region_code": training.region_code,
        "days": [d.isoformat() for d in training.days],
        "starts_at": training.starts_at.isoformat(),
        **local_time(training.region_code, training.starts_at),
        "venue": training.venue,
        "online_link": training.online_link,
        "trainer": training.trainer,
        "capacity": training.capacity,
        "cancelled": training.cancelled,
        "enrolled": training.enrolled,
        "waiting": training.waiting,
        "participants": participants,
        "mean_knowledge_gain": round(sum(gains) / len(gains), 1) if gains else None,
    }


def local_time(region_code: str, at: datetime) -> dict[str, str]:
    """The start as the region's office reads it: its own zone (WIB, WITA or WIT)."""
    return {
        "starts_at_local": local_now(region_code, at).isoformat(),
        "time_zone": zone_label(region_code),
    }


async def list_sessions(
    sessions: Sessions,
    actor: Principal,
    starting_from: date,
    limit: int,
    after: tuple[datetime, UUID] | None,
) -> list[dict[str, Any]]:
    async with sessions() as session:
        return await TrainingRepository(session).sessions(actor.scope, starting_from, limit, after)


async def reschedule(
    sessions: Sessions,
    actor: Principal,
    session_id: UUID,
    days: tuple[date, ...],
    starts_at: datetime,
    venue: str | None,
    online_link: str | None,
) -> Session:
    async def change(training: Session) -> None:
        training.reschedule(days, starts_at, venue, online_link)

    return await _change(sessions, actor, session_id, change)


async def cancel(sessions: Sessions, actor: Principal, session_id: UUID) -> Session:
    async def change(training: Session) -> None:
        training.cancel()

    return await _change(sessions, actor, session_id, change)


async def enrol(sessions: Sessions, actor: Principal, session_id: UUID, who: str) -> str:
    """Enrolled or waiting; a client of another region, like a session, is not found."""
    async with sessions.begin() as session:
        repo = TrainingRepository(session)
        training = await load_session(repo, actor, session_id)
        programme = await repo.programme(training.programme_code)
        assert programme is not None
        participant = await _participant(repo, actor, who)
        _check_audience(programme, participant)
        try:
            status = training.enrol(participant, datetime.now(UTC))
        except SessionCancelled:
            raise Conflict("the session was cancelled") from None
        await repo.save(training)
        await publish_changes(repo, training, programme, datetime.now(UTC))
    return status


async def cancel_enrolment(
    sessions: Sessions, actor: Principal, session_id: UUID, who: str
) -> tuple[str, str | None]:
    """Cancel a place; the first on the waiting list moves up and is told (an event)."""
    async with sessions.begin() as session:
        repo = TrainingRepository(session)
        training = await load_session(repo, actor, session_id)
        programme = await repo.programme(training.programme_code)
        assert programme is not None
        participant = await _participant(repo, actor, who)
        try:
            promoted = training.cancel_enrolment(participant, datetime.now(UTC))
        except NotEnrolled:
            raise NotFound() from None
        await repo.save(training)
        await publish_changes(repo, training, programme, datetime.now(UTC))
    return participant, promoted


async def record(
    sessions: Sessions,
    actor: Principal,
    session_id: UUID,
    who: str,
    *,
    day: date | None = None,
    present: bool = True,
    scores: Scores | None = None,
) -> dict[str, Any]:
    """Attendance for one day, or scores, for one enrolled participant; then the rule."""
    async with sessions.begin() as session:
        repo = TrainingRepository(session)
        training = await load_session(repo, actor, session_id)
        programme = await repo.programme(training.programme_code)
        assert programme is not None
        participant = await _participant(repo, actor, who)
        now = datetime.now(training.starts_at.tzinfo)
        try:
            if day is not None:
                training.record_attendance(participant, day, present)
            if scores is not None:
                training.record_scores(participant, scores.pre, scores.post)
            training.complete_if_due(participant, programme.rule, now, verification_code)
            enrolment = training.participation(participant)
        except NotEnrolled:
            raise NotFound() from None
        except InvalidSession as exc:
            raise BadInput(exc.field, exc.message) from None
        await repo.save(training)
        await publish_changes(repo, training, programme, now)
    return {
        "participant": participant,
        "attended": sorted(d.isoformat() for d in enrolment.attended),
        "pre_score": enrolment.pre_score,
        "post_score": enrolment.post_score,
        "knowledge_gain": knowledge_gain(enrolment.pre_score, enrolment.post_score),
        "completed": enrolment.completed_at is not None,
        "certificate_code": enrolment.certificate_code,
    }


async def record_session_scores(
    sessions: Sessions, actor: Principal, session_id: UUID, scores: list[tuple[str, Scores]]
) -> dict[str, Any]:
    """The scores of many participants at once, as a trainer types them from the marked tests:
    all of them are recorded, or (one bad line) none; then each completion rule."""
    async with sessions.begin() as session:
        repo = TrainingRepository(session)
        training = await load_session(repo, actor, session_id)
        programme = await repo.programme(training.programme_code)
        assert programme is not None
        now = datetime.now(training.starts_at.tzinfo)
        for at, (who, typed) in enumerate(scores):
            try:
                participant = await _participant(repo, actor, who)
                training.record_scores(participant, typed.pre, typed.post)
                training.complete_if_due(participant, programme.rule, now, verification_code)
            except (NotEnrolled, NotFound):
                raise BadInput(f"scores.{at}.participant", "is not enrolled here") from None
            except (BadInput, InvalidSession) as exc:
                raise BadInput(f"scores.{at}.{exc.field}", exc.message) from None
        await repo.save(training)
        await publish_changes(repo, training, programme, now)
    return describe(training, programme)


async def officers_records(sessions: Sessions, actor: Principal) -> list[dict[str, Any]]:
    """The trainings officers took in sessions of the supervisor's region."""
    async with sessions() as session:
        rows = await TrainingRepository(session).officers_records(actor.scope)
    return [
        r | {"officer": r["participant"].partition(":")[2], "session_cancelled": r["cancelled"]}
        for r in rows
    ]


async def session_certificates(
    sessions: Sessions, actor: Principal, session_id: UUID
) -> list[dict[str, Any]]:
    """The certificates a session of the caller's region gave (none found: NotFound)."""
    async with sessions() as session:
        found = await TrainingRepository(session).certificates_of(session_id, actor.scope)
    if not found:
        raise NotFound()
    return found


async def records_of(sessions: Sessions, actor: Principal, who: str) -> list[dict[str, Any]]:
    """A client's (region-scoped) or the caller's own trainings, newest first."""
    async with sessions() as session:
        repo = TrainingRepository(session)
        participant = await _participant(repo, actor, who)
        rows = await repo.records_of(participant)
    return [
        {
            "session_id": str(r["session_id"]),
            "programme_code": r["programme_code"],
            "programme_title": r["programme_title"],
            "starts_at": r["starts_at"].isoformat(),
            "days": r["days"],
            "session_cancelled": r["cancelled"],
            "status": r["status"],
            "days_attended": r["attended"],
            "pre_score": r["pre_score"],
            "post_score": r["post_score"],
            "knowledge_gain": knowledge_gain(r["pre_score"], r["post_score"]),
            "completed_at": r["completed_at"].isoformat() if r["completed_at"] else None,
            "certificate_code": r["certificate_code"],
        }
        for r in rows
    ]


async def certificate(sessions: Sessions, code: str) -> dict[str, Any]:
    async with sessions() as session:
        found = await TrainingRepository(session).certificate(code)
    if found is None:
        raise NotFound()
    return found


# the pieces


async def load_session(repo: TrainingRepository, actor: Principal, session_id: UUID) -> Session:
    training = await repo.get(session_id, actor.scope)
    if training is None:
        raise NotFound()
    return training


async def _change(
    sessions: Sessions,
    actor: Principal,
    session_id: UUID,
    change: Callable[[Session], Awaitable[None]],
) -> Session:
    async with sessions.begin() as session:
        repo = TrainingRepository(session)
        training = await load_session(repo, actor, session_id)
        programme = await repo.programme(training.programme_code)
        assert programme is not None
        try:
            await change(training)
        except SessionCancelled:
            raise Conflict("the session was cancelled") from None
        except InvalidSession as exc:
            raise BadInput(exc.field, exc.message) from None
        await repo.save(training)
        await publish_changes(repo, training, programme, datetime.now(UTC))
    return training


async def _participant(repo: TrainingRepository, actor: Principal, who: str) -> str:
    """`client:<id>` of the caller's region; `me` (or `officer:<own id>`) for the caller.

    A supervisor may also name another officer: `officer:<keycloak user id>`.
    """
    if who in ("me", f"officer:{actor.subject}"):
        return f"officer:{actor.subject}"
    kind, _, ident = who.partition(":")
    if kind == "officer" and ident and "supervisor" in actor.roles:
        return who
    if kind != "client":
        raise BadInput("participant", "is client:<client id> or me")
    try:
        client_id = UUID(ident)
    except ValueError:
        raise BadInput("participant", "names no client") from None
    facts = await repo.client(client_id)
    if facts is None or not actor.scope.allows(facts.region_code):
        raise NotFound()
    return f"client:{client_id}"


def _check_audience(programme: Programme, participant: str) -> None:
    kind = participant.partition(":")[0]
    if programme.audience == "clients" and kind != "client":
        raise BadInput("participant", "this programme is for clients only")
    if programme.audience == "officers" and kind != "officer":
        raise BadInput("participant", "this programme is for officers only")


def _who(participant: str) -> tuple[str, UUID | None, str | None]:
    kind, _, ident = participant.partition(":")
    client_id = UUID(ident) if kind == "client" else None
    return kind, client_id, ident if kind == "officer" else None


async def publish_changes(
    repo: TrainingRepository, training: Session, programme: Programme, now: datetime
) -> None:
    """Turn what happened to the session into events (and certificates), in one batch."""
    envelopes: list[Envelope] = []

    def add(data: Contract, client_id: UUID | None) -> None:
        envelopes.append(
            Envelope(
                type=data.TYPE,
                source=contracts.SOURCE,
                subject=f"session/{training.id}",
                # a client's events by the client, so its timeline keeps their order
                key=str(client_id or training.id),
                data=data.to_data(),
            )
        )

    client_ids = [
        c for h in training.events if h.participant for c in [_who(h.participant)[1]] if c
    ]
    facts = await repo.clients(client_ids) if client_ids else {}
    for happened in training.events:
        if happened.participant is None:
            add(_session_event(happened.kind, training, programme, now), None)
            continue
        kind, client_id, officer_id = _who(happened.participant)
        enrolment = next(e for e in training.enrolments if e.participant == happened.participant)
        common: dict[str, Any] = {
            "session_id": training.id,
            "programme_code": training.programme_code,
            "region_code": training.region_code,
            "participant_kind": kind,
            "client_id": client_id,
            "officer_id": officer_id,
        }
        if happened.kind == "attendance_recorded":
            data: Contract = contracts.AttendanceRecorded(
                **common,
                days_attended=len(enrolment.attended),
                days_total=len(training.days),
                recorded_at=now,
            )
        elif happened.kind == "completed":
            assert enrolment.certificate_code is not None
            shown = facts[client_id].initials if client_id in facts else "-"
            await repo.add_certificate(
                enrolment.certificate_code, shown, programme, training, now.date()
            )
            data = contracts.TrainingCompleted(
                **common,
                knowledge_gain=knowledge_gain(enrolment.pre_score, enrolment.post_score),
                certificate_code=enrolment.certificate_code,
                completed_at=now,
            )
        else:
            data = contracts.EnrolmentChanged(
                **common,
                change=happened.kind,
                changed_at=now,
                programme_title=programme.title,
                starts_at=training.starts_at,
            )
        add(data, client_id)
    training.events.clear()
    if envelopes:
        await repo.publish(contracts.TOPIC, envelopes)


def _session_event(kind: str, training: Session, programme: Programme, now: datetime) -> Contract:
    if kind == "cancelled":
        return contracts.SessionCancelled(
            session_id=training.id,
            programme_code=training.programme_code,
            region_code=training.region_code,
            cancelled_at=now,
        )
    facts = {
        "session_id": training.id,
        "programme_code": training.programme_code,
        "programme_title": programme.title,
        "region_code": training.region_code,
        "days": list(training.days),
        "starts_at": training.starts_at,
        "venue": training.venue,
        "online_link": training.online_link,
        "capacity": training.capacity,
    }
    if kind == "scheduled":
        return contracts.SessionScheduled(**facts)
    return contracts.SessionChanged(**facts)
