"""The HTTP shapes of cases: their notes, tasks and attachments, staff, reassignment."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class NewCase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    assigned_to: str | None = Field(default=None, description="officer's user id; default: you")


class CaseStatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["open", "in_progress", "closed"]


class NewNote(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=5000)


class NewTask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    due_in_working_days: int = Field(ge=0, le=260, description="Indonesian working days from today")


class NoteOut(BaseModel):
    id: UUID
    author: str
    body: str
    created_at: datetime


class TaskCompletion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: str = Field(
        min_length=1, max_length=2000, description="what came of it, in the officer's words"
    )
    account_in_own_name: bool | None = Field(
        default=None,
        description="an account follow-up at 30 days: is the account in the client's own name",
    )
    account_in_use: bool | None = Field(
        default=None,
        description="an account follow-up (30 or 90 days): was it used in the last 30 days",
    )


class TaskOut(BaseModel):
    id: UUID
    kind: str | None = None
    title: str
    due_on: date
    done_at: datetime | None
    overdue: bool
    asks: list[str] = Field(
        default_factory=list,
        description="the client's answers completing it takes (an account follow-up's)",
    )
    done_by: str | None = None
    outcome: str | None = None
    account_in_own_name: bool | None = None
    account_in_use: bool | None = None


class StaffOut(BaseModel):
    subject: str
    username: str
    region_code: str


class StaffList(BaseModel):
    items: list[StaffOut]


class DueTaskOut(BaseModel):
    id: UUID
    case_id: UUID
    client_id: UUID
    kind: str | None
    title: str
    due_on: date
    overdue: bool


class DueTaskList(BaseModel):
    items: list[DueTaskOut]


class NewAttachment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(min_length=3, max_length=100, pattern=r"^[\w.+-]+/[\w.+-]+$")
    size_bytes: int = Field(ge=0, le=50 * 1024 * 1024)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class AttachmentOut(BaseModel):
    id: UUID
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    added_at: datetime


class CaseOut(BaseModel):
    id: UUID
    client_id: UUID
    title: str
    status: str
    assigned_to: str
    opened_at: datetime
    closed_at: datetime | None
    notes: list[NoteOut] = Field(default_factory=list)
    tasks: list[TaskOut] = Field(default_factory=list)
    attachments: list[AttachmentOut] = Field(default_factory=list)


class CaseList(BaseModel):
    items: list[CaseOut]


class Reassignment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case_ids: list[UUID] = Field(min_length=1, max_length=500)
    assigned_to: str = Field(min_length=1, max_length=100)
