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
