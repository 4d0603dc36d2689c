"""A fake breach repository: breaches kept as saved, the people affected chosen from the fake
clients by the same rule as the real query."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from client.adapters.breaches import ConcurrentChange
from client.domain.breach import AffectedClient, Breach
from client.domain.model import Client
from shared.auth import RegionScope

if TYPE_CHECKING:  # fakes.py builds this one from its clients
    from .fakes import FakeClients


class FakeBreaches:
    """Breaches kept as saved; the people they touch are chosen from the fake clients by the
    same rule as the real query. `reads`: the audited reads (actor, client, reference)."""

    def __init__(self, clients: FakeClients) -> None:
        self.clients = clients
        self.rows: dict[UUID, Breach] = {}
        self.reads: list[tuple[str, UUID, str, str]] = []

    @staticmethod
    def _copy(breach: Breach, scope: RegionScope) -> Breach:
        counts = {c: n for c, n in breach.counts.items() if scope.allows(c)}
        return dataclasses.replace(breach, counts=counts, events=[])

    async def add(self, breach: Breach) -> None:
        self.rows[breach.id] = self._copy(breach, RegionScope(""))

    async def save(self, breach: Breach) -> None:
        stored = self.rows[breach.id]
        if stored.version >= breach.version:
            raise ConcurrentChange()
        self.rows[breach.id] = dataclasses.replace(breach, counts=stored.counts, events=[])

    async def get(
        self, breach_id: UUID, scope: RegionScope, *, lock: bool = False
    ) -> Breach | None:
        breach = self.rows.get(breach_id)
        if breach is None or not any(scope.allows(code) for code in breach.regions):
            return None
        return self._copy(breach, scope)

    async def newest(self, scope: RegionScope, limit: int, after: UUID | None) -> list[Breach]:
        visible = [b for b in self.rows.values() if any(scope.allows(c) for c in b.regions)]
        visible.sort(key=lambda b: (b.recorded_at, b.id), reverse=True)
        if after is not None:
            last = self.rows[after]
            visible = [b for b in visible if (b.recorded_at, b.id) < (last.recorded_at, last.id)]
        return [self._copy(b, scope) for b in visible[:limit]]

    async def late(self, now: datetime, limit: int) -> list[Breach]:
        late = [
            b
            for b in self.rows.values()
            if b.escalated_at is None and b.due_at < now and b.pending()
        ]
        return [self._copy(b, RegionScope("")) for b in late[:limit]]

    def _affects(self, client: Client, regions: Sequence[str], until: datetime) -> bool:
        return client.region_code.startswith(tuple(regions)) and client.registered_at < until

    async def count_affected(self, regions: Sequence[str], until: datetime) -> dict[str, int]:
        counts: dict[str, int] = {}
        for client in self.clients.rows.values():
            if self._affects(client, regions, until):
                counts[client.region_code] = counts.get(client.region_code, 0) + 1
        return counts

    def _affected(self, breach: Breach) -> list[Client]:
        found = [
            c
            for c in self.clients.rows.values()
            if self._affects(c, breach.regions, breach.period_to)
        ]
        return sorted(found, key=lambda c: c.id)

    async def affected(
        self, breach: Breach, limit: int, after: UUID | None
    ) -> list[AffectedClient]:
        found = [c for c in self._affected(breach) if after is None or c.id > after]
        return [_affected(c) for c in found[:limit]]

    async def to_notify(self, breach: Breach) -> list[AffectedClient]:
        found = self._affected(breach)
        ids = {c.id for c in found}
        return [_affected(c) for c in found if c.merged_into not in ids]

    async def audit_reads(
        self, *, actor: str, username: str | None, breach: Breach, read: Sequence[AffectedClient]
    ) -> None:
        self.reads += [(actor, c.id, "breach", f"breach:{breach.id}") for c in read]


def _affected(client: Client) -> AffectedClient:
    return AffectedClient(
        client.id, client.region_code, client.registered_at, client.preferred_language
    )
