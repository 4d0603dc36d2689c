"""Training's reactions to client events, delivered as the worker delivers them: decoded once
by the bus, applied in the inbox's unit of work, announcing nothing."""

from __future__ import annotations

from uuid import UUID, uuid4

from training_fakes import FakeTrainingUow
from training_scenario import DAYS, SITI, FakeKeys, bus_over, deliver, session

from shared.contracts import client as client_contracts
from training.adapters.clients import ClientFacts
from training.service_layer import commands


def _registered(client_id: UUID) -> client_contracts.ClientRegistered:
    example = client_contracts.ClientRegistered.EXAMPLE
    return client_contracts.ClientRegistered.model_validate(
        example | {"client_id": client_id, "full_name": "Ratna Sari Dewi", "region_code": "3273"}
    )


async def test_remember_client_keeps_region_and_initials_only() -> None:
    uow = FakeTrainingUow()
    client_id = uuid4()
    await deliver(bus_over(uow), _registered(client_id))
    assert uow.clients.rows == {client_id: ClientFacts("3273", "R. S. D.")}  # type: ignore[attr-defined]
    assert uow.published == [] and uow.commits == 1


async def test_remember_sealed_client_opens_the_name_for_its_initials() -> None:
    uow, keys = FakeTrainingUow(), FakeKeys()
    bus = bus_over(uow, keys)
    known, erased = uuid4(), uuid4()
    keys.values[known] = {"full_name": "Dedi Kurniawan"} | _personal_rest()
    for client_id in (known, erased):
        event = client_contracts.ClientRegisteredV2.model_validate(
            client_contracts.ClientRegisteredV2.EXAMPLE | {"client_id": client_id}
        )
        await deliver(bus, event)
    assert set(uow.clients.rows) == {known}  # type: ignore[attr-defined]
    assert uow.clients.rows[known].initials == "D. K."  # type: ignore[attr-defined]


def _personal_rest() -> dict[str, object]:
    """The other values a sealed registration holds."""
    contact = client_contracts.ClientRegistered.EXAMPLE["contact"]
    return {"sex": "M", "birth_date": "1990-01-01", "disability": False, "contact": contact}


async def test_follow_client_move_when_the_region_changed() -> None:
    uow = FakeTrainingUow()
    bus = bus_over(uow)
    client_id = uuid4()
    await deliver(bus, _registered(client_id))
    for contract, region in (
        (client_contracts.ClientUpdated, "3578"),
        (client_contracts.ClientUpdatedV2, "3579"),
    ):
        before = uow.clients.rows[client_id].region_code  # type: ignore[attr-defined]
        phone_only = contract.model_validate(
            contract.EXAMPLE | {"client_id": client_id, "region_code": "9999", "fields": ["phone"]}
        )
        await deliver(bus, phone_only)
        assert uow.clients.rows[client_id].region_code == before  # type: ignore[attr-defined]
        moved = contract.model_validate(
            contract.EXAMPLE
            | {"client_id": client_id, "region_code": region, "fields": ["region_code"]}
        )
        await deliver(bus, moved)
        assert uow.clients.rows[client_id].region_code == region  # type: ignore[attr-defined]


async def test_forget_erased_client_revokes_certificates_and_anonymises_places() -> None:
    uow, keys = FakeTrainingUow(), FakeKeys()
    bus = bus_over(uow, keys)
    client_id = uuid4()
    await deliver(bus, _registered(client_id))
    who = f"client:{client_id}"
    session_id = await session(bus)
    await bus.handle(commands.Enrol(SITI, session_id, who))
    await bus.handle(commands.RecordScores(SITI, session_id, who, 10, 90))
    await bus.handle(commands.RecordAttendance(SITI, session_id, who, DAYS[0]))
    uow.published.clear()
    erased = client_contracts.ClientErased.model_validate(
        client_contracts.ClientErased.EXAMPLE | {"client_id": client_id}
    )
    await deliver(bus, erased)
    [certificate] = uow.certificates.rows.values()  # type: ignore[attr-defined]
    assert certificate["initials"] == "" and not certificate["valid"]
    [place] = uow.training_sessions.rows[session_id].enrolments  # type: ignore[attr-defined]
    assert place.participant.startswith("erased:") and place.status == "enrolled"
    assert uow.clients.rows == {} and keys.forgotten == [client_id]  # type: ignore[attr-defined]
    assert uow.published == []
