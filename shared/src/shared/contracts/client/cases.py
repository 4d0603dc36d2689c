"""A client's cases and their follow-ups: opened, assigned, closed, reopened, a task due,
an account follow-up answered."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar, Literal
from uuid import UUID

from shared.contracts import Contract
from shared.contracts.client.topic import CLIENT_ID_EXAMPLE, OFFICER_EXAMPLE, TOPIC


class _CaseEvent(Contract):
    case_id: UUID
    client_id: UUID
    region_code: str
    status: Literal["open", "in_progress", "closed"]
    assigned_to: str
    occurred_at: datetime


_CASE_EXAMPLE: dict[str, Any] = {
    "case_id": "2e9d1b7a-4c3f-4a8e-9b6d-7c5e4f3a2b1c",
    "client_id": CLIENT_ID_EXAMPLE,
    "region_code": "3273",
    "status": "open",
    "assigned_to": OFFICER_EXAMPLE,
    "occurred_at": "2026-11-29T03:25:00Z",
}


class CaseOpened(_CaseEvent):
    """An officer opened a case for a client."""

    TYPE: ClassVar[str] = "jembatan.case.opened.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = _CASE_EXAMPLE


class CaseAssigned(_CaseEvent):
    """A case was (re)assigned to an officer, e.g. in a supervisor's bulk reassignment."""

    TYPE: ClassVar[str] = "jembatan.case.assigned.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = _CASE_EXAMPLE


class CaseClosed(_CaseEvent):
    """A case was closed."""

    TYPE: ClassVar[str] = "jembatan.case.closed.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {**_CASE_EXAMPLE, "status": "closed"}


class CaseReopened(_CaseEvent):
    """A closed case was opened again (the client came back with the same matter)."""

    TYPE: ClassVar[str] = "jembatan.case.reopened.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = _CASE_EXAMPLE


class TaskDue(Contract):
    """A follow-up task fell due today (the office's date); reminders and dashboards react."""

    TYPE: ClassVar[str] = "jembatan.task.due.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "task_id": "8e7d6c5b-4a39-4281-9706-5f4e3d2c1b0a",
        "case_id": "2e9d1b7a-4c3f-4a8e-9b6d-7c5e4f3a2b1c",
        "client_id": CLIENT_ID_EXAMPLE,
        "region_code": "3273",
        "kind": "account_follow_up_30",
        "due_on": "2027-01-06",
    }

    task_id: UUID
    case_id: UUID
    client_id: UUID
    region_code: str
    kind: str | None
    due_on: date


class FollowUpAnswered(Contract):
    """The officer recorded the client's answers to an account follow-up (30 or 90 days after
    a partner opened the account): the facts behind the ministry's figures of accounts held in
    the client's own name and still in use. Answers only; the officer's note stays in the
    client service."""

    TYPE: ClassVar[str] = "jembatan.follow_up.answered.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "task_id": "8e7d6c5b-4a39-4281-9706-5f4e3d2c1b0a",
        "case_id": "2e9d1b7a-4c3f-4a8e-9b6d-7c5e4f3a2b1c",
        "client_id": CLIENT_ID_EXAMPLE,
        "region_code": "3273",
        "days": 90,
        "due_on": "2027-03-06",
        "account_in_own_name": True,
        "account_in_use": True,
        "answered_at": "2027-03-08T02:15:00Z",
    }

    task_id: UUID
    case_id: UUID
    client_id: UUID
    region_code: str
    days: Literal[30, 90]  # the follow-up: 30 or 90 days after the account was opened
    due_on: date  # the follow-up's day in the office's calendar
    account_in_own_name: bool | None  # asked at 30 days; None when not asked
    account_in_use: bool  # used in the last 30 days
    answered_at: datetime
