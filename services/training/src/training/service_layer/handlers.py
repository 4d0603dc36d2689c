"""Use cases of training: schedule, enrol, attend, score, complete, verify."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Any
from uuid import UUID

from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Principal
from shared.contracts import Contract
from shared.contracts import training as training_contracts
from shared.messaging.envelope import Envelope
from shared.messaging.outbox import add_to_outbox
from training.adapters import orm
from training.domain.certificate import verification_code
from training.domain.programme import CompletionRule, knowledge_gain
from training.domain.session import Enrolment, Session


class NotFound(Exception):
    pass


class BadInput(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


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


def _envelope(training: Session, data: Contract, client_id: UUID | None) -> Envelope:
    """Keyed by the client when a client is concerned, else by the session."""
    return Envelope(
        type=data.TYPE,
        source=training_contracts.SOURCE,
        subject=f"session/{training.id}",
        key=str(client_id or training.id),
        data=data.to_data(),
    )


async def _programme(session: AsyncSession, code: str) -> Any:
    return (
        await session.execute(select(orm.programmes).where(orm.programmes.c.code == code))
    ).first()


async def schedule(session: AsyncSession, actor: Principal, new: NewSession) -> Session:
    if not actor.scope.allows(new.region_code):
        raise BadInput("region_code", "lies outside your region")
    if await _programme(session, new.programme_code) is None:
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
    except ValueError as exc:
        raise BadInput("days", str(exc)) from None
    await session.execute(
        insert(orm.sessions).values(
            id=scheduled.id,
            programme_code=scheduled.programme_code,
            region_code=scheduled.region_code,
            days=[d.isoformat() for d in scheduled.days],
            starts_at=scheduled.starts_at,
            venue=scheduled.venue,
            online_link=scheduled.online_link,
            trainer=scheduled.trainer,
            capacity=scheduled.capacity,
            cancelled=False,
        )
    )
    return scheduled


async def load(session: AsyncSession, session_id: UUID, actor: Principal) -> Session:
    row = (
        await session.execute(
            select(orm.sessions)
            .where(orm.sessions.c.id == session_id, actor.scope.filter(orm.sessions.c.region_code))
            .with_for_update()
        )
    ).first()
    if row is None:
        raise NotFound()
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
    for e in await session.execute(
        select(orm.enrolments)
        .where(orm.enrolments.c.session_id == session_id)
        .order_by(orm.enrolments.c.at)
    ):
        loaded.enrolments.append(Enrolment(e.participant, e.status, e.at))
    return loaded


async def participant_of(session: AsyncSession, actor: Principal, who: str) -> str:
    """`client:<id>` of the actor's region, or `me` for the officer's own enrolment."""
    if who == "me":
        return f"officer:{actor.subject}"
    kind, _, ident = who.partition(":")
    if kind != "client":
        raise BadInput("participant", "is client:<client id> or me")
    try:
        client_id = UUID(ident)
    except ValueError:
        raise BadInput("participant", "names no client") from None
    row = (
        await session.execute(
            select(orm.client_facts.c.region_code).where(orm.client_facts.c.client_id == client_id)
        )
    ).first()
    if row is None or not actor.scope.allows(row.region_code):
        raise NotFound()
    return f"client:{client_id}"


async def publish_enrolment_changes(
    session: AsyncSession, training: Session, now: datetime
) -> None:
    """Announce the session's new enrolment changes (the waiting list moving included)."""
    envelopes = []
    for happened in training.events:
        if happened.participant is None:
            continue
        kind, _, ident = happened.participant.partition(":")
        client_id = UUID(ident) if kind == "client" else None
        data = training_contracts.EnrolmentChanged(
            session_id=training.id,
            programme_code=training.programme_code,
            region_code=training.region_code,
            participant_kind=kind,
            client_id=client_id,
            officer_id=ident if kind == "officer" else None,
            change=happened.kind,
            changed_at=now,
        )
        envelopes.append(_envelope(training, data, client_id))
    training.events.clear()
    await add_to_outbox(session, orm.outbox, training_contracts.TOPIC, envelopes)


async def save_enrolments(session: AsyncSession, training: Session) -> None:
    for e in training.enrolments:
        await session.execute(
            pg_insert(orm.enrolments)
            .values(
                session_id=training.id,
                participant=e.participant,
                status=e.status,
                at=e.at,
                attended=[],
            )
            .on_conflict_do_update(
                index_elements=["session_id", "participant"], set_={"status": e.status}
            )
        )


async def record(
    session: AsyncSession,
    training: Session,
    participant: str,
    now: datetime,
    *,
    attended_day: date | None = None,
    present: bool = True,
    pre_score: int | None = None,
    post_score: int | None = None,
) -> dict[str, Any]:
    """Attendance or scores for one enrolled participant, then the completion rule."""
    row = (
        await session.execute(
            select(orm.enrolments)
            .where(
                orm.enrolments.c.session_id == training.id,
                orm.enrolments.c.participant == participant,
            )
            .with_for_update()
        )
    ).first()
    if row is None or row.status != "enrolled":
        raise NotFound()
    attended = set(row.attended)
    if attended_day is not None:
        if attended_day not in training.days:
            raise BadInput("day", "is not a day of this session")
        (attended.add if present else attended.discard)(attended_day.isoformat())
    pre = pre_score if pre_score is not None else row.pre_score
    post = post_score if post_score is not None else row.post_score
    values: dict[str, Any] = {"attended": sorted(attended), "pre_score": pre, "post_score": post}
    programme = await _programme(session, training.programme_code)
    assert programme is not None
    rule = CompletionRule(
        Fraction(programme.min_attendance).limit_denominator(10_000), programme.min_post_score
    )
    if row.completed_at is None and rule.completed(len(attended), len(training.days), post):
        code = verification_code()
        values |= {"completed_at": now, "certificate_code": code}
        await _issue(
            session, training, participant, code, programme, now, knowledge_gain(pre, post)
        )
    await session.execute(
        update(orm.enrolments)
        .where(
            orm.enrolments.c.session_id == training.id, orm.enrolments.c.participant == participant
        )
        .values(**values)
    )
    return values


async def _issue(
    session: AsyncSession,
    training: Session,
    participant: str,
    code: str,
    programme: Any,
    now: datetime,
    gain: int | None,
) -> None:
    kind, _, ident = participant.partition(":")
    client_id = UUID(ident) if kind == "client" else None
    if client_id is not None:
        shown = (
            await session.execute(
                select(orm.client_facts.c.initials).where(orm.client_facts.c.client_id == client_id)
            )
        ).scalar_one()
    else:
        shown = "—"  # an officer's certificate shows no name at all
    await session.execute(
        insert(orm.certificates).values(
            code=code,
            initials=shown,
            programme_code=programme.code,
            programme_title=programme.title,
            completed_on=now.date(),
            valid=True,
        )
    )
    data = training_contracts.TrainingCompleted(
        session_id=training.id,
        programme_code=programme.code,
        participant_kind=kind,
        client_id=client_id,
        officer_id=ident if kind == "officer" else None,
        region_code=training.region_code,
        knowledge_gain=gain,
        certificate_code=code,
        completed_at=now,
    )
    await add_to_outbox(
        session, orm.outbox, training_contracts.TOPIC, [_envelope(training, data, client_id)]
    )


async def verify(session: AsyncSession, code: str) -> dict[str, Any]:
    row = (
        await session.execute(
            select(orm.certificates).where(orm.certificates.c.code == code.upper())
        )
    ).first()
    if row is None:
        raise NotFound()
    return dict(row._mapping)
