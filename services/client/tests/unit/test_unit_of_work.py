"""The client's unit of work on the shared one: what its commit writes to the outbox.

`SqlUnitOfWork` with a recording front (`shared.unit_of_work.RecordingUnitOfWork`) and a fake
key store: the events of no aggregate first, then the tracked clients', consents' and cases'
in the order tracked; the person's values sealed under the client's own key, made before the
translation; the NIK's unique index at commit named `DuplicateNik`.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

import pytest
from sqlalchemy.exc import IntegrityError

from client.adapters import publishing
from client.adapters.repositories.nik import DuplicateNik
from client.domain.case import Case
from client.domain.consent import Consent
from client.domain.model import Client
from client.service_layer.handlers import new_client
from client.service_layer.unit_of_work import SqlUnitOfWork
from shared.contracts import client as client_contracts
from shared.sealing import new_data_key, unseal
from shared.unit_of_work import RecordingUnitOfWork

from .test_registration import CTX, NOW, _register


class FakeKeys:
    """`ensured`: the client ids each commit asked keys for."""

    def __init__(self) -> None:
        self.keys: dict[UUID, bytes] = {}
        self.ensured: list[set[UUID]] = []

    async def ensure(self, client_ids: Iterable[UUID]) -> dict[UUID, bytes]:
        wanted = set(client_ids)
        self.ensured.append(wanted)
        for client_id in wanted:
            self.keys.setdefault(client_id, new_data_key())
        return {i: self.keys[i] for i in wanted}


class RecordingClientUow(RecordingUnitOfWork, SqlUnitOfWork):
    def __init__(self) -> None:
        super().__init__()
        self.data_keys = FakeKeys()  # type: ignore[assignment]


def _client() -> Client:
    return new_client(_register(), CTX)


def _consent(client: Client) -> Consent:
    return Consent.grant(
        client,
        purpose="notifications",
        partner_code=None,
        scope=(),
        channels=("sms",),
        text_version="2026-01",
        by="siti-sub",
        now=NOW,
    )


async def test_announced_first_then_client_consent_and_case_in_the_order_tracked() -> None:
    uow = RecordingClientUow()
    client = _client()
    consent = _consent(client)
    case = Case.open(client, title="Pendampingan", assigned_to="siti-sub", by="siti-sub", now=NOW)
    merged = publishing.merged_envelope(client.id, client.id, "3273", "rina-sub", NOW)
    async with uow:
        uow.track(client)
        uow.track(client, consent)
        uow.track(client, case)
        uow.announce([merged])
        uow.track(client)  # once is enough
        await uow.commit()
    assert [(t, e.type) for t, e in uow.published] == [
        (client_contracts.TOPIC, client_contracts.ClientMerged.TYPE),
        (client_contracts.TOPIC, client_contracts.ClientRegisteredV2.TYPE),
        (client_contracts.TOPIC, client_contracts.ConsentGranted.TYPE),
        (client_contracts.TOPIC, client_contracts.CaseOpened.TYPE),
    ]
    assert {e.key for _, e in uow.published} == {str(client.id)}
    assert [e.subject for _, e in uow.published][2:] == [
        f"consent/{consent.id}",
        f"case/{case.id}",
    ]
    assert client.events == consent.events == case.events == [] and uow.commits == 1


async def test_the_persons_values_are_sealed_under_the_key_made_before_translation() -> None:
    uow = RecordingClientUow()
    client = _client()
    async with uow:
        uow.track(client)
        await uow.commit()
    [(_, registered)] = uow.published
    assert "full_name" not in registered.data
    key = uow.data_keys.keys[client.id]
    personal = unseal(key, client.id, registered.data["sealed"])
    assert personal["full_name"] == client.full_name
    assert uow.data_keys.ensured == [{client.id}]
    assert uow.keys == {}  # the key is not kept past the commit that used it


async def test_no_key_is_made_for_events_without_a_persons_values() -> None:
    uow = RecordingClientUow()
    client = _client()
    client.events.clear()
    consent = _consent(client)
    async with uow:
        uow.track(client, consent)
        await uow.commit()
    assert uow.data_keys.ensured == [set()] and len(uow.published) == 1


def _integrity(message: str) -> IntegrityError:
    return IntegrityError("INSERT", {}, Exception(message))


def test_the_nik_index_refusing_at_commit_is_a_duplicate_nik() -> None:
    uow = SqlUnitOfWork()
    assert isinstance(uow.commit_error(_integrity('unique "nik_index"')), DuplicateNik)
    assert uow.commit_error(_integrity('unique "outbox_event_id_key"')) is None
    assert uow.commit_error(RuntimeError("nik_index")) is None


def test_a_unit_of_work_without_its_keys_says_so() -> None:
    with pytest.raises(RuntimeError, match="NIK protector"):
        SqlUnitOfWork().bind(None)  # type: ignore[arg-type]
