"""The client aggregate: a worker or a small business registered by an officer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID, uuid4

from client.domain import events
from client.domain.nik import InvalidNik, Nik


class InvalidClient(ValueError):
    """A rule of registration is broken; `field` names the input that breaks it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class Client:
    id: UUID
    kind: str
    nik: Nik
    full_name: str
    birth_date: date
    sex: str
    phone: str
    email: str | None
    region_code: str
    preferred_language: str
    disability: bool
    registered_at: datetime
    registered_by: str
    events: list[events.Event] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def register(
        cls,
        *,
        kind: str,
        nik: str,
        full_name: str,
        birth_date: date,
        sex: str,
        phone: str,
        email: str | None,
        region_code: str,
        preferred_language: str,
        disability: bool,
        registered_by: str,
        now: datetime,
    ) -> Client:
        try:
            parsed = Nik.parse(nik)
            encoded_birth = parsed.birth_date(now.date())
        except InvalidNik as exc:
            raise InvalidClient("nik", f"NIK {exc}") from exc
        if encoded_birth != birth_date:
            raise InvalidClient("birth_date", "does not match the date of birth in the NIK")
        if parsed.sex != sex:
            raise InvalidClient("sex", "does not match the sex encoded in the NIK")
        if birth_date > now.date():
            raise InvalidClient("birth_date", "lies in the future")
        client = cls(
            id=uuid4(),
            kind=kind,
            nik=parsed,
            full_name=full_name,
            birth_date=birth_date,
            sex=sex,
            phone=phone,
            email=email,
            region_code=region_code,
            preferred_language=preferred_language,
            disability=disability,
            registered_at=now,
            registered_by=registered_by,
        )
        client.events.append(events.ClientRegistered(client_id=client.id))
        return client
