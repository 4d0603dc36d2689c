"""What a client asks of the data kept about them, and by when it must be answered.

UU 27/2022 gives the data subject rights to access (Pasal 7), correction (Pasal 6),
restriction (Pasal 11) and erasure (Pasal 8), and gives the controller 3 x 24 hours from
receiving the request to grant access (Pasal 32(2)), correct (Pasal 30(1)) and restrict
(Pasal 41(1)); docs/privacy.md cites the text. An officer records the request when the client
makes it (in the office, by phone, on paper) and the same deadline applies to all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from shared.errors import Conflict, InvalidField

KINDS = ("access", "correction", "restriction", "lift_restriction", "erasure")
ANSWER_WITHIN = timedelta(hours=3 * 24)
# A request written down later than it was made (a letter opened the next day) may say when
# it arrived, within reason: the deadline runs from then.
RECEIVED_AT_MOST = timedelta(days=30)


class InvalidRequest(InvalidField, ValueError):
    """A request breaks a rule; `field` names the input at fault (422)."""


class RequestAlreadyAnswered(Conflict):
    """The request was answered before (409 `already-answered`)."""

    def __init__(self) -> None:
        super().__init__("The request was answered already.", "already-answered")


@dataclass
class SubjectRequest:
    id: UUID
    client_id: UUID
    region_code: str
    kind: str
    received_at: datetime
    due_at: datetime
    recorded_by: str
    done_at: datetime | None = None
    done_by: str | None = None

    @classmethod
    def receive(
        cls,
        *,
        client_id: UUID,
        region_code: str,
        kind: str,
        by: str,
        now: datetime,
        received_at: datetime | None = None,
    ) -> SubjectRequest:
        if kind not in KINDS:
            raise InvalidRequest("kind", f"must be one of {', '.join(KINDS)}")
        received = received_at or now
        if received > now:
            raise InvalidRequest("received_at", "lies in the future")
        if now - received > RECEIVED_AT_MOST:
            raise InvalidRequest("received_at", "is more than 30 days ago")
        return cls(
            id=uuid4(),
            client_id=client_id,
            region_code=region_code,
            kind=kind,
            received_at=received,
            due_at=received + ANSWER_WITHIN,
            recorded_by=by,
        )

    def answer(self, by: str, now: datetime) -> None:
        if self.done_at is not None:
            raise RequestAlreadyAnswered()
        self.done_at, self.done_by = now, by

    def late(self, now: datetime) -> bool:
        """Still open after its deadline, or answered after it."""
        return (self.done_at or now) > self.due_at
