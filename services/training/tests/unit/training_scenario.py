"""What handler tests share: a clock, callers, a programme, the bus over the fake unit of work."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from training_fakes import FakeTrainingUow

from shared.auth import Principal
from shared.contracts import Contract
from shared.messagebus import MessageBus
from shared.messaging.envelope import Envelope
from training.adapters.clients import ClientFacts
from training.service_layer import commands
from training.service_layer.bus import COMMAND_HANDLERS
from training.service_layer.reactions import REACTIONS

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
WIB = ZoneInfo("Asia/Jakarta")
DAYS = (date(2026, 12, 7), date(2026, 12, 8))
STARTS = datetime(2026, 12, 7, 9, 0, tzinfo=WIB)

SITI = Principal("siti-sub", "siti", "jembatan-cli", frozenset({"officer"}), "3273", None)
BUDI = Principal("budi-sub", "budi", "jembatan-cli", frozenset({"supervisor"}), "32", None)
EKO = Principal("eko-sub", "eko", "jembatan-cli", frozenset({"officer"}), "3578", None)


class FakeKeys:
    """The data keys of clients: each client's sealed values, opened as they are."""

    def __init__(self) -> None:
        self.values: dict[UUID, dict[str, Any]] = {}
        self.forgotten: list[UUID] = []

    async def prefetch(self, client_ids: Any) -> None:
        pass

    async def open(self, client_id: UUID, sealed: str) -> dict[str, Any] | None:
        return self.values.get(client_id)

    def forget(self, client_id: UUID) -> None:
        self.forgotten.append(client_id)
        self.values.pop(client_id, None)


def bus_over(uow: FakeTrainingUow, keys: FakeKeys | None = None) -> MessageBus[FakeTrainingUow]:
    """Training's own tables, every message handled in `uow` at `NOW`."""
    return MessageBus(
        commands=COMMAND_HANDLERS,
        events=REACTIONS,
        uow=lambda: uow,
        joining=lambda session: uow,
        dependencies={"clock": lambda: NOW, "keys": keys or FakeKeys()},
    )


async def deliver(bus: MessageBus[FakeTrainingUow], event: Contract) -> None:
    """As the worker would: the event as a CloudEvent through the consumer's table."""
    envelope = Envelope(
        type=event.TYPE, source="/services/client", subject="s", key="k", data=event.to_data()
    )
    await bus.consumer_tables()[event.TOPIC][event.TYPE](None, envelope)  # type: ignore[arg-type]


async def programme(
    bus: MessageBus[FakeTrainingUow], code: str = "qris-umkm", audience: str = "both"
) -> str:
    await bus.handle(
        commands.PutProgramme(code, "QRIS untuk UMKM", ("QRIS",), 4, audience, "id", 50, 70)
    )
    return code


async def session(
    bus: MessageBus[FakeTrainingUow], capacity: int = 10, region_code: str = "3273"
) -> UUID:
    """A programme (both audiences) and a session of it, in Bandung by default."""
    code = await programme(bus)
    scheduled = await bus.handle(
        commands.ScheduleSession(
            SITI if region_code.startswith("3273") else EKO,
            code,
            region_code,
            DAYS,
            STARTS,
            "officer:siti-sub",
            capacity,
            "Aula Kelurahan Sukasari",
            None,
        )
    )
    return scheduled.id


def client(uow: FakeTrainingUow, region_code: str = "3273", initials: str = "D. K.") -> str:
    """A client the training service has heard of; `client:<id>`."""
    client_id = uuid4()
    uow.clients.rows[client_id] = ClientFacts(region_code, initials)  # type: ignore[attr-defined]
    return f"client:{client_id}"


def types(uow: FakeTrainingUow) -> list[str]:
    """The types of what went to the outbox, in order (and forget them)."""
    found = [e.type.removeprefix("jembatan.").removesuffix(".v1") for _, e in uow.published]
    uow.published.clear()
    return found
