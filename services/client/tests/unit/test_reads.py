"""Reading a client's record through the fake unit of work: search, timeline, NIK reveal, the
audit trail, the referral service's calls, open duplicate flags, a client's requests, the
letter to the authority. Every read of a person is audited, and nothing outside the
caller's region is found."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import pytest

from client.domain.breach_letter import authority_letter
from client.domain.consent import Consent
from client.domain.model import Client
from client.domain.subject_request import SubjectRequest
from client.service_layer import (
    breaches,
    commands,
    duplicates,
    handlers,
    privacy,
    referral_reads,
)
from shared.auth import Principal

from .fakes import FakeUnitOfWork
from .test_registration import BUDI, CTX, NOW, SITI, _register

COVERS = {
    "handlers.search_clients",
    "handlers.audit_view",
    "handlers.timeline",
    "handlers.reveal_nik",
    "handlers.read_audit",
    "referral_reads.referral_basis",
    "referral_reads.referral_profile",
    "handlers.flag_duplicates",
    "duplicates.open_flags",
    "privacy.requests_of_client",
    "breaches.letter_to_authority",
}
RINA = Principal("rina-sub", "rina", "officer-portal", frozenset({"supervisor"}), "32", None)
REFERRAL = Principal("svc-sub", None, "service-referral", frozenset(), None, None)
NIK = "3273014506900007"
LATER = NOW + timedelta(days=1)


async def _registered(uow: FakeUnitOfWork, **overrides: Any) -> Client:
    return await handlers.register_client(_register(**overrides), uow, CTX)


async def test_a_search_finds_within_the_region_and_audits_each_person_shown() -> None:
    uow = FakeUnitOfWork()
    ratna = await _registered(uow)
    found = await handlers.search_clients(SITI, uow, limit=10, after=None, phone="0812-9999-0001")
    assert [c.id for c in found] == [ratna.id]
    assert uow.audit.reads == [("siti-sub", ratna.id, "search")]
    assert await handlers.search_clients(BUDI, uow, limit=10, after=None, nik=NIK) == []


async def test_a_view_of_a_part_is_audited_as_that_part_and_coalesced() -> None:
    uow = FakeUnitOfWork()
    ratna = await _registered(uow)
    await handlers.audit_view(uow, SITI, ratna, "consents")
    assert uow.audit.parts == [("siti-sub", ratna.id, "consents", "case_management")]
    assert uow.audit.reads == []


async def test_the_timeline_is_read_newest_first_and_the_read_is_audited() -> None:
    uow = FakeUnitOfWork()
    ratna = await _registered(uow)
    for hours in (1, 2, 3):
        uow.timeline.rows.append(
            {
                "client_id": ratna.id,
                "event_type": f"e{hours}",
                "occurred_at": NOW + timedelta(hours=hours),
            }
        )
    entries = await handlers.timeline(ratna.id, SITI, uow, 2, NOW + timedelta(hours=3))
    assert [e["event_type"] for e in entries] == ["e2", "e1"]
    assert uow.audit.parts == [("siti-sub", ratna.id, "timeline", "case_management")]
    with pytest.raises(handlers.ClientNotFound):
        await handlers.timeline(ratna.id, BUDI, uow, 2, None)


async def test_a_nik_is_revealed_to_the_region_only_and_audited_as_a_reveal() -> None:
    uow = FakeUnitOfWork()
    ratna = await _registered(uow)
    assert await handlers.reveal_nik(ratna.id, SITI, uow) == NIK
    assert uow.audit.reads == [("siti-sub", ratna.id, "reveal_nik")]
    with pytest.raises(handlers.ClientNotFound):
        await handlers.reveal_nik(ratna.id, BUDI, uow)
    assert len(uow.audit.reads) == 1


async def test_the_audit_trail_lists_the_reads_of_the_callers_region() -> None:
    uow = FakeUnitOfWork()
    ratna = await _registered(uow)
    await handlers.read_client(ratna.id, SITI, uow)
    [read] = await handlers.read_audit(RINA, uow, ratna.id, 10)
    assert (read["actor"], read["record_id"], read["purpose"]) == (
        "siti-sub",
        ratna.id,
        "case_management",
    )
    assert await handlers.read_audit(BUDI, uow, None, 10) == []


async def _referral_consent(
    uow: FakeUnitOfWork, client: Client, scope: tuple[str, ...], partner: str = "bank-nusantara"
) -> Consent:
    command = commands.GrantConsent(
        actor=SITI,
        client_id=client.id,
        purpose="referral",
        partner_code=partner,
        scope=scope,
        channels=(),
        text_version="2026-01",
    )
    return await handlers.grant_consent(command, uow, CTX)


async def test_the_referral_basis_is_the_client_and_its_live_consent_for_the_partner() -> None:
    uow = FakeUnitOfWork()
    ratna = await _registered(uow)
    client, live = await referral_reads.referral_basis(ratna.id, "bank-nusantara", uow)
    assert client.id == ratna.id and live is None
    consent = await _referral_consent(uow, ratna, ("contact",))
    await _referral_consent(uow, ratna, ("contact",), partner="koperasi-maju")
    client, live = await referral_reads.referral_basis(ratna.id, "bank-nusantara", uow)
    assert client.id == ratna.id and live is not None and live.id == consent.id
    with pytest.raises(handlers.ClientNotFound):
        await referral_reads.referral_basis(uuid4(), "bank-nusantara", uow)


async def test_a_partner_profile_reads_the_nik_only_under_identity_and_is_audited() -> None:
    uow = FakeUnitOfWork()
    ratna = await _registered(uow)
    referral_id = uuid4()
    with pytest.raises(referral_reads.NoLiveConsent):
        await referral_reads.referral_profile(
            ratna.id, "bank-nusantara", referral_id, REFERRAL, uow
        )
    await _referral_consent(uow, ratna, ("contact",))
    _, _, nik = await referral_reads.referral_profile(
        ratna.id, "bank-nusantara", referral_id, REFERRAL, uow
    )
    assert nik is None
    await _referral_consent(uow, ratna, ("contact", "identity"), partner="koperasi-maju")
    _, consent, nik = await referral_reads.referral_profile(
        ratna.id, "koperasi-maju", referral_id, REFERRAL, uow
    )
    assert nik == NIK and consent.scope == ("contact", "identity")
    assert [r[2] for r in uow.audit.reads] == ["profile_to_partner", "reveal_to_partner"]
    assert uow.audit.references[-1] == f"referral:{referral_id}"
    with pytest.raises(handlers.ClientNotFound):
        await referral_reads.referral_profile(uuid4(), "bank-nusantara", referral_id, REFERRAL, uow)


async def test_flagging_announces_each_likely_duplicate_and_the_flags_are_listed() -> None:
    uow = FakeUnitOfWork()
    first = await _registered(uow)
    second = await _registered(
        uow, nik="3273011204880002", full_name="Dedi", birth_date=date(1988, 4, 12), sex="M"
    )
    uow.announced.clear()
    uow.duplicates.flags.clear()
    await handlers.flag_duplicates(uow, [second.id])
    [flag] = uow.duplicates.flags
    assert (flag["client_id"], flag["candidate_id"]) == (second.id, first.id)
    assert [e.type for e in uow.announced] == ["jembatan.client.duplicate_suspected.v1"]
    assert [f["id"] for f in await duplicates.open_flags(RINA, uow, 10)] == [flag["id"]]
    assert await duplicates.open_flags(RINA, uow, 10, client_id=uuid4()) == []


async def test_a_clients_requests_are_listed_for_the_region_only() -> None:
    uow = FakeUnitOfWork()
    ratna = await _registered(uow)
    request = SubjectRequest.receive(
        client_id=ratna.id, region_code="3273", kind="access", by="siti-sub", now=NOW
    )
    await uow.requests.add(request)
    assert [r.id for r in await privacy.requests_of_client(ratna.id, SITI, uow)] == [request.id]
    with pytest.raises(handlers.ClientNotFound):
        await privacy.requests_of_client(ratna.id, BUDI, uow)


async def test_the_letter_to_the_authority_is_written_for_a_visible_breach_only() -> None:
    uow = FakeUnitOfWork()
    await _registered(uow)
    admin = Principal("admin-sub", "admin", "officer-portal", frozenset({"admin"}), None, None)
    command = breaches.RecordBreach(
        actor=admin,
        category="disclosure",
        description="Ekspor data terkirim ke alamat yang salah.",
        handling="Penerima diminta menghapus dan sudah mengonfirmasi.",
        data_kinds=("name", "contact"),
        systems=("client",),
        found_at=LATER - timedelta(hours=2),
        period_from=NOW - timedelta(days=10),
        period_to=NOW + timedelta(hours=1),
        regions=("3273",),
    )
    later = replace(CTX, now=lambda: LATER)
    breach = await breaches.record_breach(command, uow, later)
    letter = await breaches.letter_to_authority(breach.id, admin, uow, later)
    assert letter == authority_letter(uow.breaches.rows[breach.id], LATER)
    assert "wilayah 3273: 1 orang" in letter
    jatim = Principal("sup-35", "eko", "officer-portal", frozenset({"supervisor"}), "35", None)
    with pytest.raises(breaches.BreachNotFound):
        await breaches.letter_to_authority(breach.id, jatim, uow, later)
