"""The fake work the client worker's reactions are given: the same shape as `SqlReactionWork`."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from shared.messaging.envelope import Envelope

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


class FakeReactionWork:
    """What a reaction may touch: `officers` (client → who registered them; an erased client is
    missing), `published` (the envelopes put on the outbox)."""

    def __init__(self) -> None:
        self.timeline = FakeTimelineEntries()
        self.consents = FakeConsents()
        self.cases = FakeCases()
        self.officers: dict[UUID, str] = {}
        self.published: list[Envelope] = []

    async def registering_officer(self, client_id: UUID) -> str | None:
        return self.officers.get(client_id)

    async def publish(self, envelopes: list[Envelope]) -> None:
        self.published += envelopes
