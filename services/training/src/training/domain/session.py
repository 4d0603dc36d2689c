"""A session of a programme: days, a place, a capacity, a waiting list that moves, attendance
and scores per participant, and completion under the programme's rule."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID, uuid4

from training.domain.programme import CompletionRule

PARTICIPANT_KINDS = ("client", "officer")


class NotEnrolled(Exception):
    pass


class SessionCancelled(Exception):
    pass


class InvalidSession(ValueError):
    """A rule of sessions was broken; `field` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Happened:
    # enrolled | waitlisted | promoted | enrolment_cancelled | attendance_recorded | completed
    # | scheduled | rescheduled | cancelled (the last three concern the session, no participant)
    kind: str
    participant: str | None = None


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
class Session:
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
    enrolments: list[Enrolment] = field(default_factory=list)
    events: list[Happened] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def schedule(
        cls,
        *,
        programme_code: str,
        region_code: str,
        days: tuple[date, ...],
        starts_at: datetime,
        trainer: str,
        capacity: int,
        venue: str | None = None,
        online_link: str | None = None,
    ) -> Session:
        _check_time(days, starts_at)
        if capacity < 1:
            raise InvalidSession("capacity", "must be at least 1")
        if not venue and not online_link:
            raise InvalidSession("venue", "a session needs a venue or an online link")
        session = cls(
            uuid4(),
            programme_code,
            region_code,
            tuple(sorted(set(days))),
            starts_at,
            venue,
            online_link,
            trainer,
            capacity,
        )
        session.events.append(Happened("scheduled"))
        return session

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
            raise SessionCancelled()
        if participant.split(":", 1)[0] not in PARTICIPANT_KINDS:
            raise InvalidSession("participant", "is client:<id> or officer:<id>")
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
            Happened("enrolled" if status == "enrolled" else "waitlisted", participant)
        )
        return status

    def cancel_enrolment(self, participant: str, now: datetime) -> str | None:
        """Cancel; a freed seat goes to the first on the waiting list, who is returned."""
        enrolment = next((e for e in self._active() if e.participant == participant), None)
        if enrolment is None:
            raise NotEnrolled()
        freed = enrolment.status == "enrolled"
        enrolment.status = "cancelled"
        self.events.append(Happened("enrolment_cancelled", participant))
        if freed and not self.cancelled:
            waiting = [e for e in self.enrolments if e.status == "waiting"]
            if waiting:
                first = min(waiting, key=lambda e: e.at)
                first.status = "enrolled"
                self.events.append(Happened("promoted", first.participant))
                return first.participant
        return None

    def record_attendance(self, participant: str, day: date, present: bool = True) -> None:
        """Mark one day for an enrolled participant; marking it twice changes nothing."""
        if day not in self.days:
            raise InvalidSession("day", "is not a day of this session")
        enrolment = self._enrolled(participant)
        before = set(enrolment.attended)
        (enrolment.attended.add if present else enrolment.attended.discard)(day)
        if enrolment.attended != before:
            self._once(Happened("attendance_recorded", participant))

    def record_scores(self, participant: str, pre: int | None, post: int | None) -> None:
        for name, score in (("pre_score", pre), ("post_score", post)):
            if score is not None and not 0 <= score <= 100:
                raise InvalidSession(name, "must be between 0 and 100")
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
        self.events.append(Happened("completed", participant))
        return True

    def participation(self, participant: str) -> Enrolment:
        return self._enrolled(participant)

    def reschedule(
        self,
        days: tuple[date, ...],
        starts_at: datetime,
        venue: str | None = None,
        online_link: str | None = None,
    ) -> None:
        """New days and time (and place, if given); refused once attendance was recorded."""
        if self.cancelled:
            raise SessionCancelled()
        _check_time(days, starts_at)
        if any(e.attended for e in self.enrolments):
            raise InvalidSession(
                "days", "attendance was already recorded; schedule a new session instead"
            )
        self.days, self.starts_at = tuple(sorted(set(days))), starts_at
        self.venue = venue if venue is not None else self.venue
        self.online_link = online_link if online_link is not None else self.online_link
        self.events.append(Happened("rescheduled"))

    def cancel(self) -> None:
        if not self.cancelled:
            self.cancelled = True
            self.events.append(Happened("cancelled"))

    def _once(self, happened: Happened) -> None:
        if happened not in self.events:
            self.events.append(happened)


def _check_time(days: tuple[date, ...], starts_at: datetime) -> None:
    if not days:
        raise InvalidSession("days", "a session needs at least one day")
    if starts_at.tzinfo is None:
        raise InvalidSession("starts_at", "needs its offset, e.g. +07:00 for WIB")
    if starts_at.date() != min(days):
        raise InvalidSession("starts_at", "must fall on the first day of the session")
