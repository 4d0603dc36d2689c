"""A session of a programme: days, a place, a capacity, and a waiting list that moves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID, uuid4

PARTICIPANT_KINDS = ("client", "officer")


class SessionFull(Exception):
    pass


class NotEnrolled(Exception):
    pass


class SessionCancelled(Exception):
    pass


@dataclass(frozen=True)
class Happened:
    kind: str  # enrolled | waitlisted | promoted | enrolment_cancelled | rescheduled | cancelled
    participant: str | None = None


@dataclass
class Enrolment:
    participant: str  # "client:<uuid>" or "officer:<keycloak sub>"
    status: str  # enrolled | waiting | cancelled
    at: datetime


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
        if not days or starts_at.tzinfo is None or capacity < 1:
            raise ValueError("a session needs days, an aware start time and a capacity")
        if not venue and not online_link:
            raise ValueError("a session needs a venue or an online link")
        session = cls(
            uuid4(),
            programme_code,
            region_code,
            tuple(sorted(days)),
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
            raise ValueError("a participant is client:<id> or officer:<id>")
        existing = next((e for e in self._active() if e.participant == participant), None)
        if existing is not None:
            return existing.status
        status = "enrolled" if len(self.enrolled) < self.capacity else "waiting"
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
        if freed:
            first = next((e for e in self.enrolments if e.status == "waiting"), None)
            if first is not None:
                first.status = "enrolled"
                self.events.append(Happened("promoted", first.participant))
                return first.participant
        return None

    def reschedule(self, days: tuple[date, ...], starts_at: datetime) -> None:
        if self.cancelled:
            raise SessionCancelled()
        self.days, self.starts_at = tuple(sorted(days)), starts_at
        self.events.append(Happened("rescheduled"))

    def cancel(self) -> None:
        if not self.cancelled:
            self.cancelled = True
            self.events.append(Happened("cancelled"))
