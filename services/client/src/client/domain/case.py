"""A case: the officer's follow-through with one client, with notes and follow-up tasks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal
from uuid import UUID, uuid4

from client.domain import events
from client.domain.model import Client, InvalidClient
from shared.errors import Conflict

STATUSES = ("open", "in_progress", "closed")
ANSWERS = ("account_in_own_name", "account_in_use")


@dataclass(frozen=True)
class AccountFollowUp:
    """A follow-up the system opens after a partner opened an account: `days` after it, with
    the answers it asks of the client (the women's financial-inclusion indicators)."""

    days: Literal[30, 90]
    asks: tuple[str, ...]
    title: str


ACCOUNT_FOLLOW_UPS = {
    "account_follow_up_30": AccountFollowUp(
        30,
        ("account_in_own_name", "account_in_use"),
        "Tindak lanjut 30 hari: rekening atas nama sendiri dan dipakai?",
    ),
    "account_follow_up_90": AccountFollowUp(
        90, ("account_in_use",), "Tindak lanjut 90 hari: rekening masih dipakai?"
    ),
}


class IllegalTransition(Conflict):
    """The case or task is not in a state that allows this (409 `illegal-transition`, the
    message as the detail)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, "illegal-transition")


@dataclass
class Task:
    id: UUID
    case_id: UUID
    title: str
    due_on: date
    created_by: str
    created_at: datetime
    done_at: datetime | None = None
    # Set for follow-ups the system creates (e.g. "account_follow_up_30"); None for officers'.
    kind: str | None = None
    announced_at: datetime | None = None
    done_by: str | None = None
    outcome: str | None = None
    account_in_own_name: bool | None = None
    account_in_use: bool | None = None

    def overdue(self, today: date) -> bool:
        return self.done_at is None and self.due_on < today

    @property
    def account_follow_up(self) -> AccountFollowUp | None:
        """What an account follow-up is; None for an officer's own task."""
        return ACCOUNT_FOLLOW_UPS.get(self.kind or "")

    @property
    def asks(self) -> tuple[str, ...]:
        """The client's answers completing this task takes (none for an officer's own)."""
        follow_up = self.account_follow_up
        return follow_up.asks if follow_up else ()

    def complete(
        self, *, by: str, now: datetime, outcome: str, answers: dict[str, bool | None]
    ) -> None:
        """Done, with what came of it; an account follow-up also with the client's answers
        (each it asks is required, none other is taken)."""
        if self.done_at is not None:
            raise IllegalTransition("the task is already done")
        if not outcome.strip():
            raise InvalidClient("outcome", "must not be empty")
        for name in self.asks:
            if answers.get(name) is None:
                raise InvalidClient(name, "is required for this follow-up")
        for name in ANSWERS:
            if name not in self.asks and answers.get(name) is not None:
                raise InvalidClient(name, "is not asked in this task")
        self.done_at = now
        self.done_by = by
        self.outcome = outcome.strip()
        self.account_in_own_name = answers.get("account_in_own_name")
        self.account_in_use = answers.get("account_in_use")


@dataclass
class Attachment:
    id: UUID
    case_id: UUID
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    added_by: str
    added_at: datetime


@dataclass
class Note:
    id: UUID
    case_id: UUID
    author: str
    body: str
    created_at: datetime


@dataclass
class Case:
    id: UUID
    client_id: UUID
    region_code: str
    title: str
    status: str
    assigned_to: str
    opened_by: str
    opened_at: datetime
    closed_at: datetime | None = None
    version: int = 1
    events: list[events.Event] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def open(cls, client: Client, *, title: str, assigned_to: str, by: str, now: datetime) -> Case:
        return cls.open_for(
            client.id, client.region_code, title=title, assigned_to=assigned_to, by=by, now=now
        )

    @classmethod
    def open_for(
        cls,
        client_id: UUID,
        region_code: str,
        *,
        title: str,
        assigned_to: str,
        by: str,
        now: datetime,
    ) -> Case:
        if not title.strip():
            raise InvalidClient("title", "must not be empty")
        case = cls(
            id=uuid4(),
            client_id=client_id,
            region_code=region_code,
            title=title.strip(),
            status="open",
            assigned_to=assigned_to,
            opened_by=by,
            opened_at=now,
        )
        case.events.append(events.CaseOpened(client_id=client_id, case_id=case.id))
        return case

    def assign(self, officer: str) -> None:
        if self.status == "closed":
            raise IllegalTransition("a closed case cannot be reassigned")
        if officer != self.assigned_to:
            self.assigned_to = officer
            self.version += 1
            self.events.append(events.CaseAssigned(client_id=self.client_id, case_id=self.id))

    def move_to(self, status: str, now: datetime) -> bool:
        """Change the status; False when the case already has it (nothing to write). A closed
        case is reopened to `open`, never straight to `in_progress`."""
        if status not in STATUSES:
            raise InvalidClient("status", f"must be one of {', '.join(STATUSES)}")
        if status == self.status:
            return False
        if self.status == "closed":
            if status != "open":
                raise IllegalTransition("a closed case is reopened first")
            self.status, self.closed_at = "open", None
            self.version += 1
            self.events.append(events.CaseReopened(client_id=self.client_id, case_id=self.id))
            return True
        self.status = status
        self.version += 1
        if status == "closed":
            self.closed_at = now
            self.events.append(events.CaseClosed(client_id=self.client_id, case_id=self.id))
        return True
