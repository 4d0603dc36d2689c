"""What happened to a client, in domain terms (translated to contracts in publishing.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


class Event:
    pass


@dataclass(frozen=True)
class ClientRegistered(Event):
    client_id: UUID


@dataclass(frozen=True)
class ClientUpdated(Event):
    client_id: UUID
    fields: tuple[str, ...]
    by: str


@dataclass(frozen=True)
class ConsentGranted(Event):
    client_id: UUID
    consent_id: UUID


@dataclass(frozen=True)
class ConsentWithdrawn(Event):
    client_id: UUID
    consent_id: UUID


@dataclass(frozen=True)
class CaseOpened(Event):
    client_id: UUID
    case_id: UUID


@dataclass(frozen=True)
class CaseAssigned(Event):
    client_id: UUID
    case_id: UUID


@dataclass(frozen=True)
class CaseClosed(Event):
    client_id: UUID
    case_id: UUID


@dataclass(frozen=True)
class CaseReopened(Event):
    client_id: UUID
    case_id: UUID


@dataclass(frozen=True)
class ClientRestricted(Event):
    client_id: UUID
    restricted: bool
    request_id: UUID
    at: datetime


@dataclass(frozen=True)
class ClientErased(Event):
    client_id: UUID
    request_id: UUID
    at: datetime
