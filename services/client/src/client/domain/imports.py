"""The outcome of importing one sheet of clients."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID


@dataclass(frozen=True)
class Rejection:
    row: int
    field: str
    message: str


@dataclass
class ImportReport:
    id: UUID
    filename: str
    file_sha256: str
    rows: int = 0
    registered: int = 0
    already_registered: int = 0
    rejected: list[Rejection] = field(default_factory=list)  # the first ones, with reasons
    repeated_upload: bool = False

    @property
    def rejected_total(self) -> int:
        """Every rejected row: each row is registered, already registered or rejected."""
        return self.rows - self.registered - self.already_registered


@dataclass
class ImportJob:
    """A sheet registered in the background: queued, running (with its progress), done (with
    the import it made) or failed (the sheet could not be read)."""

    id: UUID
    filename: str
    status: str  # queued | running | done | failed
    rows_total: int | None = None
    rows_done: int = 0
    import_id: UUID | None = None
    repeated_upload: bool = False
    error: str | None = None

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    @property
    def percent(self) -> int | None:
        """How far along, 0 to 100; None while the sheet is still being read."""
        if self.status == "done":
            return 100
        if not self.rows_total:
            return None
        return min(99, self.rows_done * 100 // self.rows_total)
