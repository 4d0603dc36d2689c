"""Training's events, told to the clients concerned: a place, a move, a cancellation, a
certificate, and a reminder 24 hours before a session starts (decision 0007).

Notify keeps its own picture of sessions and their client participants (fed by training
events), so a reminder needs nothing from the training service at send time. Officers' own
enrolments concern no client and are not messaged here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from uuid import UUID, uuid5

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notify.adapters.repository import UpcomingSession
from notify.service_layer import wording
from notify.service_layer.planning import Rules, Work, tell_client
from shared.contracts import training as contracts
from shared.messaging.envelope import Envelope

REMIND_BEFORE = timedelta(hours=24)
TOLD = ("enrolled", "waiting")
# Reminders answer no event; their id is derived from the session and its start time, so a
# reminder is made once per start time however often the scan runs.
_REMINDERS = UUID("6f1d7a8e-2b0c-4e43-9d55-3c1f0e8b7a21")
_STATUS = {
    "enrolled": "enrolled",
    "promoted": "enrolled",
    "waitlisted": "waiting",
    "enrolment_cancelled": "cancelled",
}
_TOLD_OF_CHANGE = {
    "enrolled": "training_enrolled",
    "promoted": "training_promoted",
    "waitlisted": "training_waitlisted",
}


def reminder_id(session_id: UUID, starts_at: datetime) -> UUID:
    return uuid5(_REMINDERS, f"{session_id}/{starts_at.isoformat()}")


def _with_time(
    title: str, starts_at: datetime, region_code: str
) -> Callable[[str], dict[str, str]]:
    def context(language: str) -> dict[str, str]:
        return {
            "programme_title": title,
            "when": wording.when(starts_at, region_code, language),
        }

    return context


async def _tell_all(
    work: Work,
    event_id: UUID,
    client_ids: list[UUID],
    region_code: str,
    kind: str,
    context: dict[str, str] | Callable[[str], dict[str, str]],
) -> None:
    for client_id in client_ids:
        await tell_client(
            work,
            event_id=event_id,
            client_id=client_id,
            region_code=region_code,
            kind=kind,
            context=context,
        )


async def remember_session(work: Work, envelope: Envelope) -> None:
    event = contracts.SessionScheduled.model_validate(envelope.data)
    await work.repo.put_session(
        event.session_id, event.programme_title, event.region_code, event.starts_at
    )


async def tell_enrolled_of_move(work: Work, envelope: Envelope) -> None:
    event = contracts.SessionChanged.model_validate(envelope.data)
    repo = work.repo
    await repo.put_session(
        event.session_id, event.programme_title, event.region_code, event.starts_at
    )
    await _tell_all(
        work,
        envelope.id,
        await repo.participants(event.session_id, TOLD),
        event.region_code,
        "training_session_changed",
        _with_time(event.programme_title, event.starts_at, event.region_code),
    )


async def tell_enrolled_of_cancellation(work: Work, envelope: Envelope) -> None:
    event = contracts.SessionCancelled.model_validate(envelope.data)
    repo = work.repo
    await repo.cancel_session(event.session_id)
    known = await repo.training_session(event.session_id)
    await _tell_all(
        work,
        envelope.id,
        await repo.participants(event.session_id, TOLD),
        event.region_code,
        "training_session_cancelled",
        {"programme_title": known.programme_title if known else event.programme_code},
    )


async def tell_client_of_place(work: Work, envelope: Envelope) -> None:
    event = contracts.EnrolmentChanged.model_validate(envelope.data)
    if event.client_id is None:
        return
    repo = work.repo
    await repo.put_participant(event.session_id, event.client_id, _STATUS[event.change])
    kind = _TOLD_OF_CHANGE.get(event.change)
    known = await repo.training_session(event.session_id)
    title = event.programme_title or (known.programme_title if known else None)
    starts_at = event.starts_at or (known.starts_at if known else None)
    if kind is None or title is None or starts_at is None:
        return  # a cancelled place needs no message; an undescribed session cannot be told
    context = _with_time(title, starts_at, event.region_code)
    if kind == "training_waitlisted":
        context = _title_only(title)
    await _tell_all(work, envelope.id, [event.client_id], event.region_code, kind, context)
    if _STATUS[event.change] == "enrolled":
        # enrolled after the reminders went out: this client is reminded now
        upcoming = await repo.reminded_session(event.session_id, event.changed_at)
        if upcoming is not None:
            await _remind(work, upcoming, [event.client_id])


def _title_only(title: str) -> Callable[[str], dict[str, str]]:
    return lambda language: {"programme_title": title}


async def congratulate(work: Work, envelope: Envelope) -> None:
    event = contracts.TrainingCompleted.model_validate(envelope.data)
    if event.client_id is None:
        return
    known = await work.repo.training_session(event.session_id)
    await _tell_all(
        work,
        envelope.id,
        [event.client_id],
        event.region_code,
        "training_completed",
        {
            "programme_title": known.programme_title if known else event.programme_code,
            "certificate_code": event.certificate_code,
        },
    )


async def _remind(work: Work, upcoming: UpcomingSession, client_ids: list[UUID]) -> None:
    await _tell_all(
        work,
        reminder_id(upcoming.session_id, upcoming.starts_at),
        client_ids,
        upcoming.region_code,
        "training_reminder",
        _with_time(upcoming.programme_title, upcoming.starts_at, upcoming.region_code),
    )


REACTIONS: dict[str, Callable[[Work, Envelope], Awaitable[None]]] = {
    contracts.SessionScheduled.TYPE: remember_session,
    contracts.SessionChanged.TYPE: tell_enrolled_of_move,
    contracts.SessionCancelled.TYPE: tell_enrolled_of_cancellation,
    contracts.EnrolmentChanged.TYPE: tell_client_of_place,
    contracts.TrainingCompleted.TYPE: congratulate,
}


async def remind_upcoming(
    sessions: async_sessionmaker[AsyncSession], rules: Rules, now: datetime
) -> int:
    """Remind the enrolled of every session starting within 24 hours; returns how many
    sessions were reminded. Safe to run on every worker at once (rows are claimed)."""
    async with sessions.begin() as session:
        work = Work.begin(session, rules)
        due = await work.repo.sessions_to_remind(now, now + REMIND_BEFORE)
        for upcoming in due:
            enrolled = await work.repo.participants(upcoming.session_id, ("enrolled",))
            await _remind(work, upcoming, enrolled)
            await work.repo.mark_reminded(upcoming.session_id, upcoming.starts_at)
        await work.finish()
    return len(due)
