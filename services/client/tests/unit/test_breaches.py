"""Breaches (UU 27/2022 Pasal 46): a deadline of 3 x 24 hours from discovery, no personal value
in the record, the people of its regions and period, notices once, escalation once."""

from __future__ import annotations

import typing
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from client.domain import breach as breach_domain
from client.domain.breach import AlreadyNotified, Breach, InvalidBreach
from client.domain.breach_letter import authority_letter
from client.entrypoints import breach_schemas
from client.service_layer import breaches, commands, handlers
from shared.auth import Principal
from shared.contracts import client as client_contracts
from shared.messaging.envelope import Envelope

from .fakes import FakeRegions, FakeUnitOfWork

COVERS = {
    "breaches.record_breach",
    "breaches.breaches_for",
    "breaches.read_breach",
    "breaches.affected_clients",
    "breaches.notify_people",
    "breaches.record_authority_notified",
    "breaches.escalate_late_breaches",
}

FOUND = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)  # a Friday: the law counts hours, not workdays
ADMIN = Principal("admin-sub", "admin", "officer-portal", frozenset({"admin"}), None, None)
RINA = Principal("rina-sub", "rina", "officer-portal", frozenset({"supervisor"}), "32", None)
JATIM = Principal("sup-35", "eko", "officer-portal", frozenset({"supervisor"}), "35", None)
SITI = Principal("siti-sub", "siti", "jembatan-cli", frozenset({"officer"}), "3273", None)
BUDI = Principal("budi-sub", "budi", "jembatan-cli", frozenset({"officer"}), "3578", None)


def _ctx(now: datetime) -> handlers.Context:
    return handlers.Context(now=lambda: now, regions=FakeRegions())


def _record(**overrides: Any) -> Breach:
    fields: dict[str, Any] = {
        "category": "unauthorised_access",
        "description": "Kata sandi akun layanan bocor di repositori publik.",
        "handling": "Kata sandi diganti dan akses diperiksa.",
        "data_kinds": ("name", "contact"),
        "systems": ("client", "backups"),
        "found_at": FOUND,
        "period_from": FOUND - timedelta(days=3),
        "period_to": FOUND - timedelta(hours=1),
        "regions": ("3273",),
        "by": "admin-sub",
        "now": FOUND + timedelta(hours=1),
        "directory": FakeRegions(),
    }
    fields.update(overrides)
    return Breach.record(**fields)


def test_the_deadline_is_three_times_24_hours_after_discovery_weekend_or_not() -> None:
    breach = _record()
    assert breach.due_at == datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
    assert not breach.late(breach.due_at)
    assert breach.late(breach.due_at + timedelta(seconds=1))


@pytest.mark.parametrize(
    "text",
    [
        "NIK 3273014506900007 ikut terbaca",
        "NIK 3273 0145 0690 0007 ikut terbaca",
        "hubungi 081234567890",
        "hubungi +62 812-3456-7890",
        "nomor 0812-3456-7890 tercantum",
        "nomor \uff10\uff18\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19",  # full-width
    ],
)
@pytest.mark.parametrize("field", ["description", "handling"])
def test_free_text_with_a_nik_or_a_phone_number_is_refused_naming_the_field(
    field: str, text: str
) -> None:
    with pytest.raises(InvalidBreach) as refused:
        _record(**{field: text})
    assert refused.value.field == field
    digits = "".join(ch for ch in text if ch.isdigit())
    assert digits not in "".join(ch for ch in refused.value.message if ch.isdigit())


@pytest.mark.parametrize(
    "text",
    [
        "Ditemukan 07-12-2026 pukul 08.00, diperbaiki 10.30 WIB.",
        "Insiden 4b3a2918-0f7e-4d6c-8b5a-493827160f5e, tiket 12345678.",
        "Sekitar 2.500 catatan dari 2026-12-01 sampai 2026-12-04.",
    ],
)
def test_dates_times_ids_and_counts_are_not_mistaken_for_personal_data(text: str) -> None:
    assert _record(description=text).description == text


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category": "hacked"}, "category"),
        ({"description": "   "}, "description"),
        ({"handling": "x" * 121}, "handling"),
        ({"data_kinds": ()}, "data_kinds"),
        ({"data_kinds": ("name", "shoe_size")}, "data_kinds"),
        ({"systems": ("mainframe",)}, "systems"),
        ({"regions": ()}, "regions"),
        ({"regions": ("3299",)}, "regions"),  # not a Kemendagri code
        ({"regions": ("327",)}, "regions"),
        ({"found_at": FOUND + timedelta(days=1)}, "found_at"),  # in the future
        ({"found_at": FOUND - timedelta(days=4)}, "found_at"),  # before the period began
        ({"period_to": FOUND - timedelta(days=4)}, "period.to"),  # before its start
        ({"period_to": FOUND + timedelta(days=1)}, "period.to"),  # in the future
    ],
)
def test_each_broken_rule_names_its_field(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidBreach) as refused:
        _record(**overrides)
    assert refused.value.field == field


def test_regions_are_kept_once_each_and_text_is_trimmed() -> None:
    breach = _record(regions=("3578", "3273", "3273"), handling="  Akses   ditutup. ")
    assert breach.regions == ("3273", "3578")
    assert breach.handling == "Akses ditutup."


def test_a_late_breach_escalates_once_and_says_who_is_still_waiting() -> None:
    breach = _record()
    assert not breach.escalate(breach.due_at)
    assert breach.escalate(breach.due_at + timedelta(minutes=1))
    assert breach.pending() == ("people", "authority")
    assert [type(e).__name__ for e in breach.events] == ["BreachEscalated"]
    assert not breach.escalate(breach.due_at + timedelta(days=3))
    assert len(breach.events) == 1


def test_a_breach_told_in_time_to_everyone_never_escalates() -> None:
    breach = _record()
    breach.approve_people_notices(by="admin-sub", told=3, now=FOUND + timedelta(hours=5))
    breach.authority_notified(
        by="admin-sub", at=FOUND + timedelta(hours=6), now=FOUND + timedelta(hours=7)
    )
    assert breach.pending() == ()
    assert not breach.escalate(breach.due_at + timedelta(days=1))


def test_people_told_but_not_the_authority_still_escalates_for_the_authority() -> None:
    breach = _record()
    breach.approve_people_notices(by="admin-sub", told=3, now=FOUND + timedelta(hours=5))
    assert breach.escalate(breach.due_at + timedelta(hours=1))
    assert breach.pending() == ("authority",)


def test_people_and_the_authority_are_each_told_once() -> None:
    breach = _record()
    later = FOUND + timedelta(hours=2)
    breach.approve_people_notices(by="admin-sub", told=1, now=later)
    with pytest.raises(AlreadyNotified):
        breach.approve_people_notices(by="admin-sub", told=1, now=later)
    with pytest.raises(InvalidBreach) as refused:
        breach.authority_notified(by="admin-sub", at=later + timedelta(hours=1), now=later)
    assert refused.value.field == "notified_at"
    breach.authority_notified(by="admin-sub", at=later, now=later)
    with pytest.raises(AlreadyNotified):
        breach.authority_notified(by="admin-sub", at=later, now=later)


# Handlers, with a fake unit of work holding clients registered at different times.

_serial = iter(range(1, 10_000))


async def _register(uow: FakeUnitOfWork, actor: Principal, region: str, at: datetime) -> Any:
    district = {"3273": "327301", "3578": "357801"}[region]
    serial = next(_serial)
    command = commands.RegisterClient(
        actor=actor,
        kind="worker",
        nik=f"{district}450690{serial:04d}",
        full_name=f"Peserta {serial}",
        birth_date=date(1990, 6, 5),
        sex="F",
        phone=f"0812{serial:08d}",
        region_code=region,
        preferred_language="en" if serial % 2 else "id",
    )
    return await handlers.register_client(command, uow, _ctx(at))


def _command(**overrides: Any) -> breaches.RecordBreach:
    fields: dict[str, Any] = {
        "actor": ADMIN,
        "category": "disclosure",
        "description": "Ekspor data terkirim ke alamat yang salah.",
        "handling": "Penerima diminta menghapus dan sudah mengonfirmasi.",
        "data_kinds": ("name", "contact"),
        "systems": ("client",),
        "found_at": FOUND,
        "period_from": FOUND - timedelta(days=10),
        "period_to": FOUND - timedelta(days=1),
        "regions": ("3273",),
    }
    fields.update(overrides)
    return breaches.RecordBreach(**fields)


def _published(uow: FakeUnitOfWork) -> list[Envelope]:
    return [e for e in uow.announced if isinstance(e, Envelope)]


@pytest.fixture
async def people() -> tuple[FakeUnitOfWork, dict[str, Any]]:
    """Two Bandung clients before the period ends, one after; one Surabaya client before."""
    uow = FakeUnitOfWork()
    clients = {
        "bandung_early": await _register(uow, SITI, "3273", FOUND - timedelta(days=30)),
        "bandung_in_period": await _register(uow, SITI, "3273", FOUND - timedelta(days=5)),
        "bandung_after": await _register(uow, SITI, "3273", FOUND - timedelta(hours=12)),
        "surabaya": await _register(uow, BUDI, "3578", FOUND - timedelta(days=5)),
    }
    return uow, clients


async def test_a_breach_lists_exactly_the_clients_of_its_regions_registered_before_its_end(
    people: tuple[FakeUnitOfWork, dict[str, Any]],
) -> None:
    uow, clients = people
    breach = await breaches.record_breach(_command(), uow, _ctx(FOUND + timedelta(hours=1)))

    assert breach.counts == {"3273": 2}
    page = await breaches.affected_clients(breach.id, ADMIN, uow, limit=10, after=None)

    expected = {clients["bandung_early"].id, clients["bandung_in_period"].id}
    assert {c.id for c in page} == expected
    assert sorted((actor, client) for actor, client, *_ in uow.breaches.reads) == sorted(
        ("admin-sub", c) for c in expected
    )
    assert {(purpose, ref) for *_, purpose, ref in uow.breaches.reads} == {
        ("breach", f"breach:{breach.id}")
    }


async def test_the_affected_list_pages_by_id(
    people: tuple[FakeUnitOfWork, dict[str, Any]],
) -> None:
    uow, _ = people
    breach = await breaches.record_breach(
        _command(regions=("32", "35")), uow, _ctx(FOUND + timedelta(hours=1))
    )
    first = await breaches.affected_clients(breach.id, ADMIN, uow, limit=2, after=None)
    rest = await breaches.affected_clients(breach.id, ADMIN, uow, limit=2, after=first[-1].id)
    assert len(first) == 2 and len(rest) == 1
    assert [c.id for c in first + rest] == sorted(c.id for c in first + rest)
    assert breach.counts == {"3273": 2, "3578": 1}


async def test_nothing_personal_is_in_the_breach_record_or_the_letter(
    people: tuple[FakeUnitOfWork, dict[str, Any]],
) -> None:
    uow, clients = people
    breach = await breaches.record_breach(_command(), uow, _ctx(FOUND + timedelta(hours=1)))
    stored = uow.breaches.rows[breach.id]
    letter = authority_letter(stored, FOUND + timedelta(hours=2))
    for client in clients.values():
        assert str(client.id) not in repr(stored) and str(client.id) not in letter
        assert client.full_name not in letter and client.phone not in letter
    assert "wilayah 3273: 2 orang" in letter
    for part in (
        "a. Data Pribadi yang terungkap",
        "b. Kapan dan bagaimana",
        "c. Upaya penanganan dan pemulihan",
    ):
        assert part in letter
    assert "Pasal 46" in letter
    assert "7 Desember 2026 pukul 16.30 WIB" in letter  # the deadline, in Jakarta's time


async def test_a_supervisor_reads_breaches_of_the_province_only(
    people: tuple[FakeUnitOfWork, dict[str, Any]],
) -> None:
    uow, _ = people
    breach = await breaches.record_breach(
        _command(regions=("3273", "3578")), uow, _ctx(FOUND + timedelta(hours=1))
    )
    assert (await breaches.read_breach(breach.id, RINA, uow)).counts == {"3273": 2}
    assert [b.id for b in await breaches.breaches_for(RINA, uow, 10, None)] == [breach.id]
    only_bandung = await breaches.record_breach(_command(), uow, _ctx(FOUND + timedelta(hours=2)))
    with pytest.raises(breaches.BreachNotFound):
        await breaches.read_breach(only_bandung.id, JATIM, uow)
    assert [b.id for b in await breaches.breaches_for(JATIM, uow, 10, None)] == [breach.id]
    assert [b.id for b in await breaches.breaches_for(ADMIN, uow, 10, None)] == [
        only_bandung.id,
        breach.id,
    ]


async def test_approving_the_notices_publishes_one_per_person_once(
    people: tuple[FakeUnitOfWork, dict[str, Any]],
) -> None:
    uow, clients = people
    later = FOUND + timedelta(hours=3)
    breach = await breaches.record_breach(_command(), uow, _ctx(FOUND + timedelta(hours=1)))

    told = await breaches.notify_people(breach.id, ADMIN, uow, _ctx(later))

    assert told.people_told == 2 and told.people_notified_at == later
    notices = [e.data for e in _published(uow)]
    assert {n["client_id"] for n in notices} == {
        str(clients["bandung_early"].id),
        str(clients["bandung_in_period"].id),
    }
    assert all(n["breach_id"] == str(breach.id) for n in notices)
    assert {e.type for e in _published(uow)} == {client_contracts.BreachNoticeApproved.TYPE}
    with pytest.raises(AlreadyNotified):
        await breaches.notify_people(breach.id, ADMIN, uow, _ctx(later))
    assert len(uow.announced) == 2


async def test_a_merged_duplicate_is_told_through_the_record_it_was_merged_into(
    people: tuple[FakeUnitOfWork, dict[str, Any]],
) -> None:
    uow, clients = people
    await uow.duplicates.merge(clients["bandung_in_period"].id, clients["bandung_early"].id)
    breach = await breaches.record_breach(_command(), uow, _ctx(FOUND + timedelta(hours=1)))
    await breaches.notify_people(breach.id, ADMIN, uow, _ctx(FOUND + timedelta(hours=2)))
    assert [e.data["client_id"] for e in _published(uow)] == [str(clients["bandung_early"].id)]


async def test_a_late_breach_is_escalated_once_as_the_clock_moves(
    people: tuple[FakeUnitOfWork, dict[str, Any]],
) -> None:
    uow, _ = people
    breach = await breaches.record_breach(_command(), uow, _ctx(FOUND + timedelta(hours=1)))

    assert await breaches.escalate_late_breaches(uow, breach.due_at - timedelta(seconds=1)) == 0
    assert await breaches.escalate_late_breaches(uow, breach.due_at + timedelta(seconds=1)) == 1
    assert await breaches.escalate_late_breaches(uow, breach.due_at + timedelta(days=2)) == 0

    [escalation] = _published(uow)
    assert escalation.type == client_contracts.BreachEscalated.TYPE
    assert escalation.data["pending"] == ["people", "authority"]
    assert escalation.key == str(breach.id)
    assert uow.breaches.rows[breach.id].escalated_at == breach.due_at + timedelta(seconds=1)


async def test_a_breach_told_in_time_is_not_escalated(
    people: tuple[FakeUnitOfWork, dict[str, Any]],
) -> None:
    uow, _ = people
    breach = await breaches.record_breach(_command(), uow, _ctx(FOUND + timedelta(hours=1)))
    await breaches.notify_people(breach.id, ADMIN, uow, _ctx(FOUND + timedelta(hours=2)))
    await breaches.record_authority_notified(
        breach.id, ADMIN, None, uow, _ctx(FOUND + timedelta(hours=3))
    )
    assert await breaches.escalate_late_breaches(uow, breach.due_at + timedelta(days=1)) == 0


def test_the_vocabularies_of_the_domain_the_api_and_the_contract_agree() -> None:
    def literal(alias: Any) -> set[str]:
        return set(typing.get_args(alias))

    assert literal(breach_schemas.Category) == set(breach_domain.CATEGORIES)
    assert literal(client_contracts.BreachCategory) == set(breach_domain.CATEGORIES)
    assert literal(breach_schemas.DataKind) == set(breach_domain.DATA_KINDS)
    assert literal(client_contracts.BreachDataKind) == set(breach_domain.DATA_KINDS)
    assert literal(breach_schemas.System) == set(breach_domain.SYSTEMS)
