"""Events published by the client service on `client.events` (key: the client id)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel

from shared.contracts import Contract

TOPIC = "client.events"
SOURCE = "/services/client"


class Contact(BaseModel):
    phone: str
    email: str | None = None


class ClientRegistered(Contract):
    """A client was registered by an officer. Internal topic: never a NIK, here or anywhere."""

    TYPE: ClassVar[str] = "jembatan.client.registered.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "client_id": "0b8f3c2e-6a51-4c8e-9a57-2f6f1f3c1a10",
        "kind": "worker",
        "region_code": "3273",
        "registered_at": "2026-11-29T03:15:00Z",
        "registered_by": "6f1d2c3b-0000-4000-8000-00000000a001",
        "full_name": "Dedi Kurniawan",
        "sex": "M",
        "birth_date": "1990-04-12",
        "disability": False,
        "preferred_language": "id",
        "contact": {"phone": "+6281234567890", "email": None},
    }

    client_id: UUID
    kind: Literal["worker", "business"]
    region_code: str
    registered_at: datetime
    registered_by: str
    full_name: str
    sex: Literal["F", "M"]
    birth_date: date
    disability: bool
    preferred_language: Literal["id", "en"]
    contact: Contact


PUBLISHED: list[type[Contract]] = [ClientRegistered]
