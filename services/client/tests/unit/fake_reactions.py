"""The work the client worker's reactions are given in tests: `SqlReactionWork` with a
recording front (`shared.unit_of_work.RecordingUnitOfWork`), nothing in a database."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from client.service_layer.reaction_work import SqlReactionWork
from shared.unit_of_work import RecordingUnitOfWork

from .fake_cases import FakeCases
from .fakes import FakeConsents


class FakeTimelineEntries:
    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def record(
        self,
        *,
        client_id: UUID,
        event_id: UUID,
        event_type: str,
        source: str,
        occurred_at: datetime,
        summary: dict[str, Any],
    ) -> None:
        self.entries.append(
            {
                "client_id": client_id,
                "event_id": event_id,
                "event_type": event_type,
                "source": source,
                "occurred_at": occurred_at,
                "summary": summary,
            }
        )


class FakeReactionWork(RecordingUnitOfWork, SqlReactionWork):
    """The real reaction work (its tracking and translation) with a recording front and
    in-memory repositories: `officers` (client → who registered them; an erased client is
    missing), `published` (topic, envelope: what would have gone to the outbox), `commits`."""

    def __init__(self) -> None:
        super().__init__()
        self.timeline = FakeTimelineEntries()
        self.consents = FakeConsents()
        self.cases = FakeCases()
        self.officers: dict[UUID, str] = {}

    async def registering_officer(self, client_id: UUID) -> str | None:
        return self.officers.get(client_id)
