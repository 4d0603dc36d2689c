"""Use cases of training: programmes, sessions, enrolment, attendance, scores, completion.

Each handler takes its command, a unit of work and, when it needs the time, the clock. A change
is one transaction: the session is loaded under the caller's region scope and locked, the
domain changes it, the repositories write it back and `uow.commit()` writes its events to the
outbox with it, so an answer the caller saw is never lost and never half-written. Handlers
raise `shared.errors` (or the domain's, which are such errors); the app answers them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any
from uuid import UUID

from shared.auth import Principal
from shared.errors import InvalidField, NotFound
from training.adapters.publishing import participant_of
from training.domain.certificate import verification_code
from training.domain.programme import CompletionRule, Programme
from training.domain.training_session import TrainingSession
from training.service_layer import commands
from training.service_layer.unit_of_work import TrainingUnitOfWork

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The clock the bus gives handlers outside tests."""
    return datetime.now(UTC)


# programmes


async def put_programme(command: commands.PutProgramme, uow: TrainingUnitOfWork) -> None:
    programme = Programme(
        code=command.code,
        title=command.title,
        modules=command.modules,
        duration_hours=command.duration_hours,
        audience=command.audience,
        language=command.language,
        rule=CompletionRule(Fraction(command.min_attendance_percent, 100), command.min_post_score),
    )
    async with uow:
        await uow.programmes.put(programme)
        await uow.commit()


async def list_programmes(
    command: commands.ListProgrammes, uow: TrainingUnitOfWork
) -> list[dict[str, Any]]:
    async with uow:
        return await uow.programmes.every()


# sessions


async def schedule_session(
    command: commands.ScheduleSession, uow: TrainingUnitOfWork, clock: Clock
) -> TrainingSession:
    if not command.actor.scope.allows(command.region_code):
        raise InvalidField("region_code", "lies outside your region")
    async with uow:
        programme = await uow.programmes.get(command.programme_code)
        if programme is None:
            raise InvalidField("programme_code", "is not a programme")
        scheduled = TrainingSession.schedule(
            programme=programme,
            region_code=command.region_code,
            days=command.days,
            starts_at=command.starts_at,
            trainer=command.trainer,
            capacity=command.capacity,
            venue=command.venue,
            online_link=command.online_link,
            now=clock(),
        )
        await uow.training_sessions.add(scheduled)
        uow.track(scheduled)
        await uow.commit()
    return scheduled


async def list_sessions(
    command: commands.ListSessions, uow: TrainingUnitOfWork, clock: Clock
) -> commands.SessionPage:
    """Sessions of the caller's region from a day on (default: today), soonest first; the
    cursor is the last row's start and id."""
    after = None
    if command.cursor:
        try:
            at, _, ident = command.cursor.partition("_")
            after = (datetime.fromisoformat(at), UUID(ident))
        except ValueError:
            raise InvalidField("cursor", "is not a cursor this API gave") from None
    async with uow:
        rows = await uow.training_sessions.upcoming(
            command.actor.scope, command.starting_from or clock().date(), command.limit, after
        )
    last = rows[-1] if len(rows) == command.limit else None
    cursor = f"{last['starts_at'].isoformat()}_{last['id']}" if last else None
    return commands.SessionPage(rows, cursor)


async def view_session(command: commands.ViewSession, uow: TrainingUnitOfWork) -> TrainingSession:
    async with uow:
        # a read waits for no one
        found = await uow.training_sessions.get(command.session_id, command.actor.scope, lock=False)
    if found is None:
        raise NotFound("session")
    return found


async def reschedule_session(
    command: commands.RescheduleSession, uow: TrainingUnitOfWork, clock: Clock
) -> TrainingSession:
    async with uow:
        training = await load_session(uow, command.actor, command.session_id, "session")
        training.reschedule(
            command.days, command.starts_at, command.venue, command.online_link, now=clock()
        )
        await save_session(uow, training)
    return training


async def cancel_session(
    command: commands.CancelSession, uow: TrainingUnitOfWork, clock: Clock
) -> TrainingSession:
    async with uow:
        training = await load_session(uow, command.actor, command.session_id, "session")
        training.cancel(now=clock())
        await save_session(uow, training)
    return training


# participants


async def enrol(command: commands.Enrol, uow: TrainingUnitOfWork, clock: Clock) -> str:
    """Enrolled or waiting; a client of another region, like a session, is not found."""
    missing = "session or client"
    async with uow:
        training = await load_session(uow, command.actor, command.session_id, missing)
        programme = await _programme(uow, training)
        participant = await _participant(uow, command.actor, command.participant, missing)
        _check_audience(programme, participant)
        status = training.enrol(participant, clock())
        await save_session(uow, training)
    return status


async def cancel_enrolment(
    command: commands.CancelEnrolment, uow: TrainingUnitOfWork, clock: Clock
) -> tuple[str, str | None]:
    """Cancel a place; the first on the waiting list moves up and is told (an event)."""
    async with uow:
        training = await load_session(uow, command.actor, command.session_id, "enrolment")
        participant = await _participant(uow, command.actor, command.participant, "enrolment")
        promoted = training.cancel_enrolment(participant, clock())
        await save_session(uow, training)
    return participant, promoted


async def record_attendance(
    command: commands.RecordAttendance, uow: TrainingUnitOfWork, clock: Clock
) -> commands.Participation:
    """Attendance for one day of one enrolled participant; then the completion rule."""
    async with uow:
        training = await load_session(uow, command.actor, command.session_id, "enrolment")
        programme = await _programme(uow, training)
        participant = await _participant(uow, command.actor, command.participant, "enrolment")
        now = clock().astimezone(training.starts_at.tzinfo)
        training.record_attendance(participant, command.day, command.present, now=now)
        return await _complete(uow, training, programme, participant, now)


async def record_scores(
    command: commands.RecordScores, uow: TrainingUnitOfWork, clock: Clock
) -> commands.Participation:
    """Pre- and post-test scores of one enrolled participant; then the completion rule."""
    async with uow:
        training = await load_session(uow, command.actor, command.session_id, "enrolment")
        programme = await _programme(uow, training)
        participant = await _participant(uow, command.actor, command.participant, "enrolment")
        now = clock().astimezone(training.starts_at.tzinfo)
        training.record_scores(participant, command.pre_score, command.post_score)
        return await _complete(uow, training, programme, participant, now)


async def record_session_scores(
    command: commands.RecordSessionScores, uow: TrainingUnitOfWork, clock: Clock
) -> TrainingSession:
    """The scores of many participants at once, as a trainer types them from the marked tests:
    all of them are recorded, or (one bad line) none; then each completion rule."""
    async with uow:
        training = await load_session(uow, command.actor, command.session_id, "session")
        programme = await _programme(uow, training)
        now = clock().astimezone(training.starts_at.tzinfo)
        for at, line in enumerate(command.lines):
            try:
                participant = await _participant(uow, command.actor, line.participant, "client")
                training.record_scores(participant, line.pre_score, line.post_score)
                training.complete_if_due(participant, programme.rule, now, verification_code)
            except NotFound:  # no such client here, or not enrolled
                raise InvalidField(f"scores.{at}.participant", "is not enrolled here") from None
            except InvalidField as exc:
                raise exc.under(f"scores.{at}.") from None
        await save_session(uow, training, programme)
    return training


# records and certificates


async def officers_records(
    command: commands.OfficersRecords, uow: TrainingUnitOfWork
) -> list[dict[str, Any]]:
    """The trainings officers took in sessions of the supervisor's region."""
    async with uow:
        return await uow.records.officers_records(command.actor.scope)


async def training_records(
    command: commands.TrainingRecords, uow: TrainingUnitOfWork
) -> list[dict[str, Any]]:
    """A client's (region-scoped) or the caller's own trainings, newest first."""
    async with uow:
        participant = await _participant(uow, command.actor, command.who, "client")
        return await uow.records.records_of(participant)


async def session_certificates(
    command: commands.SessionCertificates, uow: TrainingUnitOfWork
) -> list[dict[str, Any]]:
    """The certificates a session of the caller's region gave (none found: not found)."""
    async with uow:
        found = await uow.certificates.of_session(command.session_id, command.actor.scope)
    if not found:
        raise NotFound("certificate")
    return found


async def verify_certificate(
    command: commands.VerifyCertificate, uow: TrainingUnitOfWork
) -> dict[str, Any]:
    async with uow:
        found = await uow.certificates.get(command.code)
    if found is None:
        raise NotFound("certificate")
    return found


# the pieces


async def load_session(
    uow: TrainingUnitOfWork, actor: Principal, session_id: UUID, missing: str = "session"
) -> TrainingSession:
    """The session, locked for this transaction; `missing` is what the caller is told is not
    found when it is not there (or not in their region)."""
    training = await uow.training_sessions.get(session_id, actor.scope)
    if training is None:
        raise NotFound(missing)
    return training


async def _programme(uow: TrainingUnitOfWork, training: TrainingSession) -> Programme:
    programme = await uow.programmes.get(training.programme_code)
    assert programme is not None, "a session's programme is never deleted"
    return programme


async def save_session(
    uow: TrainingUnitOfWork, training: TrainingSession, programme: Programme | None = None
) -> None:
    """Write the session back, with the certificates its completions earned, and commit it
    with its events."""
    await uow.training_sessions.save(training)
    if programme is not None:
        await issue_certificates(uow, training, programme)
    uow.track(training)
    await uow.commit()


async def _complete(
    uow: TrainingUnitOfWork,
    training: TrainingSession,
    programme: Programme,
    participant: str,
    now: datetime,
) -> commands.Participation:
    training.complete_if_due(participant, programme.rule, now, verification_code)
    enrolment = training.participation(participant)
    await save_session(uow, training, programme)
    return commands.Participation(participant, enrolment)


async def issue_certificates(
    uow: TrainingUnitOfWork, training: TrainingSession, programme: Programme
) -> None:
    """A certificate for each completion not yet announced; it shows a client's initials
    (an officer's shows none)."""
    completed = [
        (h.participant, h.at, participant_of(h.participant)[1])
        for h in training.events
        if h.kind == "completed" and h.participant is not None and h.at is not None
    ]
    if not completed:
        return
    facts = await uow.clients.many([c for _, _, c in completed if c is not None])
    for participant, at, client_id in completed:
        code = training.participation(participant).certificate_code
        assert code is not None
        known = facts.get(client_id) if client_id is not None else None
        shown = known.initials if known is not None else "-"
        await uow.certificates.add(code, shown, programme, training, at.date())


async def _participant(uow: TrainingUnitOfWork, actor: Principal, who: str, missing: str) -> str:
    """`client:<id>` of the caller's region; `me` (or `officer:<own id>`) for the caller.

    A supervisor may also name another officer: `officer:<keycloak user id>`.
    """
    if who in ("me", f"officer:{actor.subject}"):
        return f"officer:{actor.subject}"
    kind, _, ident = who.partition(":")
    if kind == "officer" and ident and "supervisor" in actor.roles:
        return who
    if kind != "client":
        raise InvalidField("participant", "is client:<client id> or me")
    try:
        client_id = UUID(ident)
    except ValueError:
        raise InvalidField("participant", "names no client") from None
    facts = await uow.clients.get(client_id)
    if facts is None or not actor.scope.allows(facts.region_code):
        raise NotFound(missing)
    return f"client:{client_id}"


def _check_audience(programme: Programme, participant: str) -> None:
    kind = participant.partition(":")[0]
    if programme.audience == "clients" and kind != "client":
        raise InvalidField("participant", "this programme is for clients only")
    if programme.audience == "officers" and kind != "officer":
        raise InvalidField("participant", "this programme is for officers only")
