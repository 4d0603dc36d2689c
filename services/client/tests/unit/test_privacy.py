"""A client's rights over their data, through the handlers and a fake unit of work."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import uuid4

import pytest

from client.domain import events
from client.domain.model import Client
from client.domain.subject_request import InvalidRequest, RequestAlreadyAnswered, SubjectRequest
from client.service_layer import handlers, privacy

from .fakes import FakeUnitOfWork
from .test_registration import BUDI, CTX, NOW, SITI, _register

COVERS = {
    "privacy.record_request",
    "privacy.answer_request",
    "privacy.restrict",
    "privacy.erase",
    "privacy.requests",
    "privacy.export",
}

SITI_ID = uuid4()


async def _registered(uow: FakeUnitOfWork) -> Client:
    client = await handlers.register_client(_register(), uow, CTX)
    uow.published.clear()
    return client


def test_a_request_is_due_three_times_twenty_four_hours_after_it_was_received() -> None:
    received = NOW - timedelta(hours=5)
    request = SubjectRequest.receive(
        client_id=SITI_ID,
        region_code="3273",
        kind="correction",
        by="siti",
        now=NOW,
        received_at=received,
    )
    assert request.due_at == received + timedelta(hours=72)
    assert not request.late(NOW) and request.late(received + timedelta(hours=72, seconds=1))
    request.answer("siti", NOW)
    assert not request.late(NOW + timedelta(days=10))  # answered in time stays in time
    with pytest.raises(RequestAlreadyAnswered):
        request.answer("siti", NOW)


@pytest.mark.parametrize(
    ("kind", "received_at", "field"),
    [
        ("forget_me", None, "kind"),
        ("erasure", NOW + timedelta(minutes=1), "received_at"),
        ("erasure", NOW - timedelta(days=31), "received_at"),
    ],
)
def test_a_request_names_what_is_wrong_with_it(
    kind: str, received_at: datetime | None, field: str
) -> None:
    with pytest.raises(InvalidRequest) as refused:
        SubjectRequest.receive(
            client_id=SITI_ID,
            region_code="3273",
            kind=kind,
            by="s",
            now=NOW,
            received_at=received_at,
        )
    assert refused.value.field == field


async def test_a_restriction_is_answered_at_once_and_announced() -> None:
    uow = FakeUnitOfWork()
    client = await _registered(uow)
    restricted, request = await privacy.restrict(
        privacy.Restrict(SITI, client.id, restricted=True), uow, CTX
    )
    assert restricted.restricted and request.kind == "restriction" and request.done_at == NOW
    [event] = uow.published
    assert isinstance(event, events.ClientRestricted) and event.restricted
    # Restricting again changes nothing and announces nothing; lifting it does.
    await privacy.restrict(privacy.Restrict(SITI, client.id, restricted=True), uow, CTX)
    assert len(uow.published) == 1
    await privacy.restrict(privacy.Restrict(SITI, client.id, restricted=False), uow, CTX)
    assert [type(e).__name__ for e in uow.published][-1] == "ClientRestricted"
    assert not uow.published[-1].restricted  # type: ignore[attr-defined]


async def test_an_erasure_answers_the_request_recorded_earlier_and_leaves_a_ledger() -> None:
    uow = FakeUnitOfWork()
    client = await _registered(uow)
    asked = await privacy.record_request(
        privacy.RecordRequest(SITI, client.id, "erasure", received_at=NOW - timedelta(hours=1)),
        uow,
        CTX,
    )
    assert asked.done_at is None
    answered = await privacy.erase(privacy.Erase(SITI, client.id, request_id=asked.id), uow, CTX)
    assert answered.id == asked.id and answered.done_at == NOW
    assert client.id not in uow.clients.rows and uow.erasures.ledger == {client.id: asked.id}
    [event] = uow.published
    assert isinstance(event, events.ClientErased) and event.request_id == asked.id
    with pytest.raises(handlers.ClientNotFound):  # nothing left to export or erase
        await privacy.export(client.id, SITI, uow, CTX, None)


async def test_a_request_of_another_kind_or_client_or_region_does_not_answer() -> None:
    uow = FakeUnitOfWork()
    client = await _registered(uow)
    asked = await privacy.record_request(
        privacy.RecordRequest(SITI, client.id, "correction"), uow, CTX
    )
    with pytest.raises(InvalidRequest):
        await privacy.erase(privacy.Erase(SITI, client.id, request_id=asked.id), uow, CTX)
    with pytest.raises(handlers.ClientNotFound):
        await privacy.erase(privacy.Erase(BUDI, client.id, request_id=asked.id), uow, CTX)
    assert client.id in uow.clients.rows


async def test_the_export_holds_the_nik_in_clear_and_is_audited_as_an_export() -> None:
    uow = FakeUnitOfWork()
    client = await _registered(uow)
    part, request = await privacy.export(client.id, SITI, uow, CTX, None)
    assert part["client"]["nik"] == "3273014506900007"
    assert part["client"]["full_name"] == "Ratna Sari"
    assert request.kind == "access" and request.done_at == NOW
    assert uow.audit.reads[-1] == ("siti-sub", client.id, "export")


async def test_late_requests_are_the_open_ones_past_their_deadline() -> None:
    uow = FakeUnitOfWork()
    client = await _registered(uow)
    old = await privacy.record_request(
        privacy.RecordRequest(SITI, client.id, "correction", received_at=NOW - timedelta(days=4)),
        uow,
        CTX,
    )
    await privacy.record_request(privacy.RecordRequest(SITI, client.id, "correction"), uow, CTX)
    late = await privacy.requests(SITI, uow, CTX, client_id=None, late_only=True, limit=10)
    assert [r.id for r in late] == [old.id]
    assert await privacy.requests(BUDI, uow, CTX, client_id=None, late_only=True, limit=10) == []
    await privacy.answer_request(old.id, SITI, uow, CTX)
    assert await privacy.requests(SITI, uow, CTX, client_id=None, late_only=True, limit=10) == []
