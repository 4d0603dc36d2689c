"""Handlers of client intake, driven through a fake unit of work."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import TracebackType
from typing import Self
from uuid import UUID

import pytest

from client.domain.model import Client, InvalidClient
from client.service_layer import commands, handlers
from shared.auth import Principal, RegionScope

NOW = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
SITI = Principal("siti-sub", "siti", "jembatan-cli", frozenset({"officer"}), "3273", None)
BUDI = Principal("budi-sub", "budi", "jembatan-cli", frozenset({"officer"}), "3578", None)


class FakeClients:
    def __init__(self) -> None:
        self.rows: dict[UUID, Client] = {}

    async def add(self, client: Client) -> None:
        self.rows[client.id] = client

    async def region_of_nik(self, nik: str) -> tuple[UUID, str] | None:
        return next(((c.id, c.region_code) for c in self.rows.values() if c.nik.value == nik), None)

    async def get(self, client_id: UUID, scope: RegionScope) -> Client | None:
        client = self.rows.get(client_id)
        return client if client and scope.allows(client.region_code) else None

    async def list(self, scope: RegionScope, limit: int, after: UUID | None) -> list[Client]:
        return [c for c in self.rows.values() if scope.allows(c.region_code)][:limit]


class FakeAudit:
    def __init__(self) -> None:
        self.reads: list[tuple[str, UUID, str]] = []

    async def record(
        self, *, actor: str, username: str | None, client: Client, purpose: str
    ) -> None:
        self.reads.append((actor, client.id, purpose))


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.clients = FakeClients()
        self.audit = FakeAudit()
        self.published: list[object] = []
        self.committed = 0
        self._pending: list[Client] = []

    async def __aenter__(self) -> Self:
        self._pending = []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        pass

    def track(self, client: Client) -> None:
        self._pending.append(client)

    async def commit(self) -> None:
        for client in self._pending:
            self.published.extend(client.events)
            client.events.clear()
        self.committed += 1


def _register(actor: Principal = SITI, **overrides: object) -> commands.RegisterClient:
    fields: dict[str, object] = {
        "kind": "worker",
        "nik": "3273014506900007",
        "full_name": "Ratna Sari",
        "birth_date": date(1990, 6, 5),
        "sex": "F",
        "phone": "+6281299990001",
        "email": None,
        "region_code": "3273",
        "preferred_language": "id",
        "disability": False,
    }
    fields.update(overrides)
    return commands.RegisterClient(actor=actor, **fields)  # type: ignore[arg-type]


async def test_a_registration_is_committed_with_its_event() -> None:
    uow = FakeUnitOfWork()
    client = await handlers.register_client(_register(), uow, lambda: NOW)
    assert uow.committed == 1
    assert [type(e).__name__ for e in uow.published] == ["ClientRegistered"]
    assert uow.clients.rows[client.id].registered_by == "siti-sub"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"birth_date": date(1990, 6, 6)}, "birth_date"),
        ({"sex": "M"}, "sex"),
        ({"nik": "3273010000000000"}, "nik"),
        ({"region_code": "3578"}, "region_code"),
    ],
)
async def test_an_invalid_registration_names_the_field_and_writes_nothing(
    overrides: dict[str, object], field: str
) -> None:
    uow = FakeUnitOfWork()
    with pytest.raises(InvalidClient) as caught:
        await handlers.register_client(_register(**overrides), uow, lambda: NOW)
    assert caught.value.field == field
    assert uow.committed == 0 and not uow.clients.rows


async def test_the_same_nik_twice_names_the_existing_client_only_inside_the_region() -> None:
    uow = FakeUnitOfWork()
    first = await handlers.register_client(_register(), uow, lambda: NOW)
    with pytest.raises(handlers.NikAlreadyRegistered) as same_region:
        await handlers.register_client(_register(), uow, lambda: NOW)
    assert same_region.value.client_id == first.id

    budi_tries = _register(actor=BUDI, region_code="3578")
    with pytest.raises(handlers.NikAlreadyRegistered) as other_region:
        await handlers.register_client(budi_tries, uow, lambda: NOW)
    assert other_region.value.client_id is None


async def test_a_client_outside_the_region_is_invisible_and_unaudited() -> None:
    uow = FakeUnitOfWork()
    client = await handlers.register_client(_register(), uow, lambda: NOW)
    assert await handlers.read_client(client.id, BUDI, uow) is None
    assert uow.audit.reads == []
    assert await handlers.read_client(client.id, SITI, uow) is not None
    assert uow.audit.reads == [("siti-sub", client.id, "case_management")]
