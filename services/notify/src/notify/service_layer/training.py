"""Training's events, told to the clients concerned: a place, a move, a cancellation, a
certificate, and a reminder 24 hours before a session starts.

Notify keeps its own picture of sessions and their client participants (fed by training
events), so a reminder needs nothing from the training service at send time. Officers' own
enrolments concern no client and are not messaged here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from uuid import UUID, uuid5

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notify.adapters.repository import NotificationRepository, UpcomingSession
from notify.domain.model import Notification
from shared.contracts import training as contracts
from shared.messaging.consumer import Handler
from shared.messaging.envelope import Envelope

Schedule = Callable[[AsyncSession, Notification], Awaitable[None]]
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


def reminder_id(session_id: UUID, starts_at: datetime) -> UUID:
    return uuid5(_REMINDERS, f"{session_id}/{starts_at.isoformat()}")


async def _tell(
    schedule: Schedule,
    session: AsyncSession,
    event_id: UUID,
    client_ids: list[UUID],
    region_code: str,
    template: str,
) -> None:
    repo = NotificationRepository(session)
    for client_id in client_ids:
        recipient = await repo.recipient(client_id, region_code)
        await schedule(
            session,
            Notification.schedule(
                event_id=event_id,
                client_id=client_id,
                region_code=recipient.region_code,
                template=template,
                language=recipient.language,
            ),
        )


def reactions(schedule: Schedule) -> dict[str, Handler]:
    """The handlers of `training.events`, each storing its messages through `schedule`."""

    async def session_scheduled(session: AsyncSession, envelope: Envelope) -> None:
        event = contracts.SessionScheduled.model_validate(envelope.data)
        await NotificationRepository(session).put_session(
            event.session_id, event.programme_title, event.region_code, event.starts_at
        )

    async def session_changed(session: AsyncSession, envelope: Envelope) -> None:
        event = contracts.SessionChanged.model_validate(envelope.data)
        repo = NotificationRepository(session)
        await repo.put_session(
            event.session_id, event.programme_title, event.region_code, event.starts_at
        )
        told = await repo.participants(event.session_id, TOLD)
        await _tell(
            schedule, session, envelope.id, told, event.region_code, "training_session_changed"
        )

    async def session_cancelled(session: AsyncSession, envelope: Envelope) -> None:
        event = contracts.SessionCancelled.model_validate(envelope.data)
        repo = NotificationRepository(session)
        await repo.cancel_session(event.session_id)
        told = await repo.participants(event.session_id, TOLD)
        await _tell(
            schedule, session, envelope.id, told, event.region_code, "training_session_cancelled"
        )

    async def enrolment_changed(session: AsyncSession, envelope: Envelope) -> None:
        event = contracts.EnrolmentChanged.model_validate(envelope.data)
        if event.client_id is None:
            return
        repo = NotificationRepository(session)
        await repo.put_participant(event.session_id, event.client_id, _STATUS[event.change])
        await _tell(
            schedule,
            session,
            envelope.id,
            [event.client_id],
            event.region_code,
            f"training_{event.change}",
        )
        if _STATUS[event.change] == "enrolled":
            # enrolled after the reminders went out: this client is reminded now
            upcoming = await repo.reminded_session(event.session_id, event.changed_at)
            if upcoming is not None:
                await _tell(
                    schedule,
                    session,
                    reminder_id(upcoming.session_id, upcoming.starts_at),
                    [event.client_id],
                    event.region_code,
                    "training_reminder",
                )

    async def completed(session: AsyncSession, envelope: Envelope) -> None:
        event = contracts.TrainingCompleted.model_validate(envelope.data)
        if event.client_id is None:
            return
        await _tell(
            schedule,
            session,
            envelope.id,
            [event.client_id],
            event.region_code,
            "training_completed",
        )

    return {
        contracts.SessionScheduled.TYPE: session_scheduled,
        contracts.SessionChanged.TYPE: session_changed,
        contracts.SessionCancelled.TYPE: session_cancelled,
        contracts.EnrolmentChanged.TYPE: enrolment_changed,
        contracts.TrainingCompleted.TYPE: completed,
    }


async def remind_upcoming(
    sessions: async_sessionmaker[AsyncSession], schedule: Schedule, now: datetime
) -> int:
    """Remind the enrolled of every session starting within 24 hours; returns how many
    sessions were reminded. Safe to run on every worker at once (rows are claimed)."""
    async with sessions.begin() as session:
        repo = NotificationRepository(session)
        due: list[UpcomingSession] = await repo.sessions_to_remind(now, now + REMIND_BEFORE)
        for upcoming in due:
            enrolled = await repo.participants(upcoming.session_id, ("enrolled",))
            await _tell(
                schedule,
                session,
                reminder_id(upcoming.session_id, upcoming.starts_at),
                enrolled,
                upcoming.region_code,
                "training_reminder",
            )
            await repo.mark_reminded(upcoming.session_id, upcoming.starts_at)
    return len(due)
