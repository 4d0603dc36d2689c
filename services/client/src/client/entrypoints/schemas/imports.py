"""The HTTP shapes of sheet imports: the report, and the background job that makes it."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from shared.sheets import MAX_REPORTED_REJECTIONS


class ImportRejection(BaseModel):
    row: int
    field: str
    message: str


class ImportOut(BaseModel):
    id: UUID
    filename: str
    rows: int
    registered: int
    already_registered: int
    rejected: list[ImportRejection] = Field(
        description=f"the first {MAX_REPORTED_REJECTIONS:,} rejected rows, with their reasons"
    )
    rejected_total: int = Field(description="every rejected row, listed or not")
    repeated_upload: bool = Field(description="the same sheet was imported before: nothing new")
    rejects_url: str


class ImportJobOut(BaseModel):
    """A sheet being registered in the background; poll it until `status` is done or failed."""

    id: UUID
    filename: str
    status: Literal["queued", "running", "done", "failed"]
    rows_total: int | None = Field(description="the sheet's rows, once it was read")
    rows_done: int = Field(description="rows handled so far: registered, known or rejected")
    percent: int | None = Field(description="0-100; null while the sheet is being read")
    error: str | None = Field(description="why a failed sheet could not be read")
    report: ImportOut | None = Field(description="the import's report, once done")
