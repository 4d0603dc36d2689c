"""What callers ask the client service to do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.auth import Principal


@dataclass(frozen=True)
class RegisterClient:
    actor: Principal
    kind: str
    nik: str
    full_name: str
    birth_date: date
    sex: str
    phone: str
    email: str | None
    region_code: str
    preferred_language: str
    disability: bool
