"""A training session of a programme: days, a place, a capacity, a waiting list that moves,
attendance and scores per participant, and completion under the programme's rule.

Named `TrainingSession` in Python so that "session" alone means a database session; HTTP
paths, JSON fields, tables and event contracts keep saying "session"."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID, uuid4

from shared import errors
from training.domain.programme import CompletionRule, Programme

PARTICIPANT_KINDS = ("client", "officer")


class NotEnrolled(errors.NotFound):
    """The participant holds no (such) place in the session."""

    def __init__(self) -> None:
        super().__init__("enrolment")


class TrainingSessionCancelled(errors.Conflict):
    """The session was cancelled: nothing about it changes any more."""

    def __init__(self) -> None:
        super().__init__("the session was cancelled", "session-cancelled")


class InvalidTrainingSession(errors.InvalidField):
    """A rule of sessions was broken; `field` names the input at fault."""


@dataclass(frozen=True)
class Happened:
    """A domain event. `kind`: enrolled | waitlisted | promoted | enrolment_cancelled |
    attendance_recorded | completed | scheduled | rescheduled | cancelled (the last three
    concern the session, no participant); `at`: when, as the use case's clock read it."""

    kind: str
    participant: str | None = None
    at: datetime | None = field(default=None, compare=False)


@dataclass
class Enrolment:
    participant: str  # "client:<uuid>" or "officer:<keycloak sub>"
    status: str  # enrolled | waiting | cancelled
    at: datetime
    attended: set[date] = field(default_factory=set)
    pre_score: int | None = None
    post_score: int | None = None
    completed_at: datetime | None = None
    certificate_code: str | None = None


@dataclass
class TrainingSession:
    id: UUID
    programme_code: str
    region_code: str
    days: tuple[date, ...]
    starts_at: datetime  # aware; shown in the region's zone (WIB/WITA/WIT)
    venue: str | None
    online_link: str | None
    trainer: str
    capacity: int
    cancelled: bool = False
    programme_title: str = ""  # as the programme is called now, for what is announced
    enrolments: list[Enrolment] = field(default_factory=list)
    events: list[Happened] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def schedule(
        cls,
        *,
        programme: Programme,
        region_code: str,
        days: tuple[date, ...],
        starts_at: datetime,
        trainer: str,
        capacity: int,
        venue: str | None = None,
        online_link: str | None = None,
        now: datetime,
    ) -> TrainingSession:
        _check_time(days, starts_at)
        if capacity < 1:
            raise InvalidTrainingSession("capacity", "must be at least 1")
        if not venue and not online_link:
            raise InvalidTrainingSession("venue", "a session needs a venue or an online link")
        scheduled = cls(
            uuid4(),
            programme.code,
            region_code,
            tuple(sorted(set(days))),
            starts_at,
            venue,
            online_link,
            trainer,
            capacity,
            programme_title=programme.title,
        )
        scheduled.events.append(Happened("scheduled", at=now))
        return scheduled

    def _active(self) -> list[Enrolment]:
        return [e for e in self.enrolments if e.status != "cancelled"]

    def _enrolled(self, participant: str) -> Enrolment:
        found = next(
            (e for e in self.enrolments if e.participant == participant and e.status == "enrolled"),
            None,
        )
        if found is None:
            raise NotEnrolled()
        return found

    @property
    def enrolled(self) -> list[str]:
        return [e.participant for e in self.enrolments if e.status == "enrolled"]

    @property
    def waiting(self) -> list[str]:
        return [e.participant for e in self.enrolments if e.status == "waiting"]

    def enrol(self, participant: str, now: datetime) -> str:
        """Enrol, or join the waiting list when the session is full; returns the status."""
        if self.cancelled:
            raise TrainingSessionCancelled()
        if participant.split(":", 1)[0] not in PARTICIPANT_KINDS:
            raise InvalidTrainingSession("participant", "is client:<id> or officer:<id>")
        existing = next((e for e in self._active() if e.participant == participant), None)
        if existing is not None:
            return existing.status
        status = "enrolled" if len(self.enrolled) < self.capacity else "waiting"
        earlier = next((e for e in self.enrolments if e.participant == participant), None)
        if earlier is not None:  # enrolling again after a cancellation: a new place in line
            earlier.status, earlier.at = status, now
        else:
            self.enrolments.append(Enrolment(participant, status, now))
        self.events.append(
            Happened("enrolled" if status == "enrolled" else "waitlisted", participant, now)
        )
        return status

    def cancel_enrolment(self, participant: str, now: datetime) -> str | None:
        """Cancel; a freed seat goes to the first on the waiting list, who is returned."""
        enrolment = next((e for e in self._active() if e.participant == participant), None)
        if enrolment is None:
            raise NotEnrolled()
        freed = enrolment.status == "enrolled"
        enrolment.status = "cancelled"
        self.events.append(Happened("enrolment_cancelled", participant, now))
        if freed and not self.cancelled:
            waiting = [e for e in self.enrolments if e.status == "waiting"]
            if waiting:
                first = min(waiting, key=lambda e: e.at)
                first.status = "enrolled"
                self.events.append(Happened("promoted", first.participant, now))
                return first.participant
        return None

    def record_attendance(
        self, participant: str, day: date, present: bool = True, *, now: datetime
    ) -> None:
        """Mark one day for an enrolled participant; marking it twice changes nothing."""
        if day not in self.days:
            raise InvalidTrainingSession("day", "is not a day of this session")
        enrolment = self._enrolled(participant)
        before = set(enrolment.attended)
        (enrolment.attended.add if present else enrolment.attended.discard)(day)
        if enrolment.attended != before:
            self._once(Happened("attendance_recorded", participant, now))

    def record_scores(self, participant: str, pre: int | None, post: int | None) -> None:
        for name, score in (("pre_score", pre), ("post_score", post)):
            if score is not None and not 0 <= score <= 100:
                raise InvalidTrainingSession(name, "must be between 0 and 100")
        enrolment = self._enrolled(participant)
        enrolment.pre_score = pre if pre is not None else enrolment.pre_score
        enrolment.post_score = post if post is not None else enrolment.post_score

    def complete_if_due(
        self, participant: str, rule: CompletionRule, now: datetime, new_code: Callable[[], str]
    ) -> bool:
        """Completion follows the rule; once completed, a certificate stays (never re-issued)."""
        enrolment = self._enrolled(participant)
        if enrolment.completed_at is not None:
            return False
        if not rule.completed(len(enrolment.attended), len(self.days), enrolment.post_score):
            return False
        enrolment.completed_at, enrolment.certificate_code = now, new_code()
        self.events.append(Happened("completed", participant, now))
        return True

    def participation(self, participant: str) -> Enrolment:
        return self._enrolled(participant)

    def reschedule(
        self,
        days: tuple[date, ...],
        starts_at: datetime,
        venue: str | None = None,
        online_link: str | None = None,
        *,
        now: datetime,
    ) -> None:
        """New days and time (and place, if given); refused once attendance was recorded."""
        if self.cancelled:
            raise TrainingSessionCancelled()
        _check_time(days, starts_at)
        if any(e.attended for e in self.enrolments):
            raise InvalidTrainingSession(
                "days", "attendance was already recorded; schedule a new session instead"
            )
        self.days, self.starts_at = tuple(sorted(set(days))), starts_at
        self.venue = venue if venue is not None else self.venue
        self.online_link = online_link if online_link is not None else self.online_link
        self.events.append(Happened("rescheduled", at=now))

    def cancel(self, *, now: datetime) -> None:
        if not self.cancelled:
            self.cancelled = True
            self.events.append(Happened("cancelled", at=now))

    def _once(self, happened: Happened) -> None:
        if happened not in self.events:
            self.events.append(happened)


def _check_time(days: tuple[date, ...], starts_at: datetime) -> None:
    if not days:
        raise InvalidTrainingSession("days", "a session needs at least one day")
    if starts_at.tzinfo is None:
        raise InvalidTrainingSession("starts_at", "needs its offset, e.g. +07:00 for WIB")
    if starts_at.date() != min(days):
        raise InvalidTrainingSession("starts_at", "must fall on the first day of the session")
