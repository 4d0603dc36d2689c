"""Handlers of client intake, driven through a fake unit of work."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from client.domain import reference
from client.domain.model import InvalidClient
from client.service_layer import commands, handlers
from shared.auth import Principal

from .fakes import FakeRegions, FakeUnitOfWork

COVERS = {
    "handlers.register_client",
    "handlers.update_client",
    "handlers.read_client",
    "duplicates.merge",
    "duplicates.dismiss",
}

NOW = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
CTX = handlers.Context(now=lambda: NOW, regions=FakeRegions())
SITI = Principal("siti-sub", "siti", "jembatan-cli", frozenset({"officer"}), "3273", None)
BUDI = Principal("budi-sub", "budi", "jembatan-cli", frozenset({"officer"}), "3578", None)

UMKM = {
    "nib": "1234567890123",
    "name": "Warung Bu Ratna",
    "kbli": "56102",
    "scale": "mikro",
    "employees": 2,
    "annual_revenue_idr": 180_000_000,
}


def _register(actor: Principal = SITI, **overrides: Any) -> commands.RegisterClient:
    fields: dict[str, Any] = {
        "kind": "worker",
        "nik": "3273014506900007",
        "full_name": "Ratna Sari",
        "birth_date": date(1990, 6, 5),
        "sex": "F",
        "phone": "0812-9999-0001",
        "region_code": "3273",
    }
    fields.update(overrides)
    return commands.RegisterClient(actor=actor, **fields)


async def test_a_womans_registration_is_committed_with_its_event() -> None:
    uow = FakeUnitOfWork()
    client = await handlers.register_client(_register(), uow, CTX)
    assert uow.committed == 1
    assert [type(e).__name__ for e in uow.published] == ["ClientRegistered"]
    stored = uow.clients.rows[client.id]
    assert stored.sex == "F" and stored.phone == "+6281299990001" and stored.phone_is_mobile
    assert stored.nik_warnings == ()
    assert stored.region_code_set == "kepmendagri-300.2.2-2138-2025"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"birth_date": date(1990, 6, 6)}, "birth_date"),
        ({"sex": "M"}, "sex"),
        ({"nik": "327301450690000"}, "nik"),  # 15 digits
        ({"nik": "32730145069000AB"}, "nik"),  # letters
        ({"nik": "3273014513900007"}, "nik"),  # month 13
        ({"nik": "3273014506900000"}, "nik"),  # serial 0000
        ({"nik": "3200004506900007"}, "nik"),  # regency 00
        ({"region_code": "3578"}, "region_code"),  # outside Siti's region
        ({"region_code": "3299"}, "region_code"),  # not a Kemendagri code
        ({"phone": "021-5551234"}, None),  # a fixed line is fine, just not for SMS
        ({"phone": "08123"}, "phone"),
        ({"phone": "+44 20 7946 0958"}, "phone"),  # a real number, but not Indonesian
        ({"kind": "business"}, "business"),
        ({"business": UMKM}, "business"),  # a worker has no business
    ],
)
async def test_registration_rules_name_the_field_and_write_nothing(
    overrides: dict[str, Any], field: str | None
) -> None:
    uow = FakeUnitOfWork()
    if field is None:
        client = await handlers.register_client(_register(**overrides), uow, CTX)
        assert not client.phone_is_mobile
        return
    with pytest.raises(InvalidClient) as caught:
        await handlers.register_client(_register(**overrides), uow, CTX)
    assert caught.value.field == field
    assert uow.committed == 0 and not uow.clients.rows


async def test_a_nik_first_issued_in_an_unknown_region_is_a_warning_not_a_refusal() -> None:
    uow = FakeUnitOfWork()
    old_papua_code = "9271014506900007"  # Kota Sorong before Papua Barat Daya (96.71)
    client = await handlers.register_client(_register(nik=old_papua_code), uow, CTX)
    assert client.nik_warnings == ("nik_region_unknown",)


@pytest.mark.parametrize(
    ("business", "field"),
    [
        ({**UMKM, "nib": "12345"}, "business.nib"),
        ({**UMKM, "kbli": "5610"}, "business.kbli"),
        ({**UMKM, "kbli": "56105"}, "business.kbli"),  # five digits, but no such kelompok
        ({**UMKM, "kbli": "93232"}, "business.kbli"),  # struck out by BPS's own correction
        ({**UMKM, "annual_revenue_idr": 3_000_000_000}, "business.scale"),  # that is kecil
        ({**UMKM, "annual_revenue_idr": 60_000_000_000}, "business.annual_revenue_idr"),
        ({**UMKM, "annual_revenue_idr": None}, "business.annual_revenue_idr"),
    ],
)
async def test_business_rules_follow_pp_7_2021(business: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidClient) as caught:
        await handlers.register_client(
            _register(kind="business", business=business), FakeUnitOfWork(), CTX
        )
    assert caught.value.field == field


def test_the_kbli_list_is_the_whole_2020_classification() -> None:
    titles = reference.kbli_titles()
    assert len(titles) == 1789
    assert all(len(code) == 5 and code.isdigit() and title for code, title in titles.items())
    assert len({code[:2] for code in titles}) == 88  # golongan pokok
    assert len({code[:3] for code in titles}) == 245  # golongan
    assert len({code[:4] for code in titles}) == 567  # subgolongan
    assert titles["56102"] == "RUMAH/WARUNG MAKAN"
    assert "FINTECH P2P LENDING" in titles["64951"]  # new in 2020


async def test_a_business_of_a_kbli_2020_novelty_is_registered() -> None:
    business = {**UMKM, "kbli": "62015"}  # programming based on artificial intelligence
    client = await handlers.register_client(
        _register(kind="business", business=business), FakeUnitOfWork(), CTX
    )
    assert client.business is not None and client.business.kbli == "62015"


async def test_a_new_business_may_be_scaled_by_its_capital() -> None:
    business = {**UMKM, "annual_revenue_idr": None, "capital_idr": 3_000_000_000, "scale": "kecil"}
    client = await handlers.register_client(
        _register(kind="business", business=business), FakeUnitOfWork(), CTX
    )
    assert client.business is not None and client.business.scale_basis == "capital"


@pytest.mark.parametrize(
    ("amounts", "scale"),
    [
        ({"annual_revenue_idr": 2_000_000_000}, "mikro"),
        ({"annual_revenue_idr": 2_000_000_001}, "kecil"),
        ({"annual_revenue_idr": None, "capital_idr": 5_000_000_001}, "menengah"),
    ],
)
async def test_a_scale_left_out_follows_from_the_amount(
    amounts: dict[str, int | None], scale: str
) -> None:
    business = {**UMKM, "scale": None} | amounts
    client = await handlers.register_client(
        _register(kind="business", business=business), FakeUnitOfWork(), CTX
    )
    assert client.business is not None and client.business.scale == scale


async def test_the_same_nik_twice_names_the_existing_client_only_inside_the_region() -> None:
    uow = FakeUnitOfWork()
    first = await handlers.register_client(_register(), uow, CTX)
    with pytest.raises(handlers.NikAlreadyRegistered) as same_region:
        await handlers.register_client(_register(), uow, CTX)
    assert same_region.value.client_id == first.id

    budi_tries = _register(actor=BUDI, region_code="3578")
    with pytest.raises(handlers.NikAlreadyRegistered) as other_region:
        await handlers.register_client(budi_tries, uow, CTX)
    assert other_region.value.client_id is None


async def test_a_client_outside_the_region_is_invisible_and_unaudited() -> None:
    uow = FakeUnitOfWork()
    client = await handlers.register_client(_register(), uow, CTX)
    with pytest.raises(handlers.ClientNotFound):
        await handlers.read_client(client.id, BUDI, uow)
    assert uow.audit.reads == []
    await handlers.read_client(client.id, SITI, uow)
    assert uow.audit.reads == [("siti-sub", client.id, "case_management")]


async def test_an_update_records_what_changed_and_refuses_fixed_fields() -> None:
    uow = FakeUnitOfWork()
    client = await handlers.register_client(_register(), uow, CTX)
    change = commands.UpdateClient(SITI, client.id, {"phone": "0813-1111-2222"})
    updated = await handlers.update_client(change, uow, CTX)
    assert updated.phone == "+6281311112222" and updated.version == 2
    assert type(uow.published[-1]).__name__ == "ClientUpdated"
    with pytest.raises(InvalidClient) as caught:
        await handlers.update_client(replace(change, changes={"sex": "M"}), uow, CTX)
    assert caught.value.field == "sex"
    with pytest.raises(handlers.ClientNotFound):
        await handlers.update_client(replace(change, actor=BUDI), uow, CTX)


async def test_an_unchanged_update_publishes_nothing() -> None:
    uow = FakeUnitOfWork()
    client = await handlers.register_client(_register(), uow, CTX)
    before = len(uow.published)
    change = commands.UpdateClient(SITI, client.id, {"full_name": "Ratna Sari"})
    await handlers.update_client(change, uow, CTX)
    assert len(uow.published) == before


async def test_a_second_client_with_the_same_phone_is_flagged_and_can_be_merged() -> None:
    from client.service_layer import duplicates

    uow = FakeUnitOfWork()
    first = await handlers.register_client(_register(), uow, CTX)
    second = await handlers.register_client(
        _register(nik="3273011204880002", full_name="Dedi", birth_date=date(1988, 4, 12), sex="M"),
        uow,
        CTX,
    )
    [flag] = uow.duplicates.flags
    assert (flag["client_id"], flag["candidate_id"]) == (second.id, first.id)
    assert [e.type for e in uow.announced] == ["jembatan.client.duplicate_suspected.v1"]

    rina = Principal("rina-sub", "rina", "jembatan-cli", frozenset({"supervisor"}), "32", None)
    survivor = await duplicates.merge(rina, flag["id"], None, uow, CTX)
    assert survivor == first.id and uow.clients.rows[second.id].merged_into == first.id
    with pytest.raises(duplicates.FlagResolved):
        await duplicates.dismiss(rina, flag["id"], uow, CTX)
