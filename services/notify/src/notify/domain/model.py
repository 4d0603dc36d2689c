"""A notification: one message to one client, answering one event."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID, uuid4


@dataclass
class Notification:
    id: UUID
    event_id: UUID
    client_id: UUID
    region_code: str
    template: str
    language: str
    status: str

    @classmethod
    def schedule(
        cls, *, event_id: UUID, client_id: UUID, region_code: str, template: str, language: str
    ) -> Notification:
        return cls(uuid4(), event_id, client_id, region_code, template, language, "scheduled")
