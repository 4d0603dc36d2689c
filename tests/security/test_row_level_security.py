"""Row-level security holds when a service's own region check is bypassed (decision 0011).

The services' repositories filter every read by the caller's region. Here that filter is
deliberately switched off (`RegionScope("")` lets every region through, and the partner
filter is left out), the repositories run in-process against the running services'
databases, and PostgreSQL alone must keep other regions' and other partners' rows out.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy import text

from client import bootstrap as client_bootstrap
from notify import bootstrap as notify_bootstrap
from referral import bootstrap as referral_bootstrap
from shared import db
from shared.auth import RegionScope
from support import stack
from support.people import new_worker

pytestmark = pytest.mark.integration

BYPASSED = RegionScope("")  # the services' own check, switched off
PEOPLE_TABLES = {
    "client": (
        "clients",
        "cases",
        "consents",
        "timeline_entries",
        "duplicate_flags",
        "record_reads",
        "import_jobs",
    ),
    "referral": ("referrals", "client_facts"),
    "training": ("client_facts",),
    "notify": ("notifications", "client_facts"),
}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def people(gateway: httpx.Client, tokens: dict[str, str]) -> dict[str, Any]:
    """A client of Kota Bandung referred to Bank Nusantara and told by SMS, and a client of
    Kota Surabaya."""
    siti, budi = _bearer(tokens["siti"]), _bearer(tokens["budi"])
    bandung = gateway.post("/api/clients", json=new_worker("3273"), headers=siti).json()
    surabaya = gateway.post("/api/clients", json=new_worker("3578"), headers=budi).json()
    for consent in (
        {"purpose": "notifications", "channels": ["sms"], "text_version": "ntf-2026-01"},
        {
            "purpose": "referral",
            "partner_code": "bank-nusantara",
            "scope": ["contact"],
            "text_version": "ref-2026-01",
        },
    ):
        answer = gateway.post(f"/api/clients/{bandung['id']}/consents", json=consent, headers=siti)
        assert answer.status_code == 201, answer.text
    referral = stack.eventually(
        lambda: (
            answer.json()
            if (
                answer := gateway.post(
                    "/api/referrals",
                    json={
                        "client_id": bandung["id"],
                        "partner_code": "bank-nusantara",
                        "product_code": "savings-basic",
                        "fee_sheet_version": "2026-01",
                    },
                    headers=siti,
                )
            ).status_code
            == 201
            else None
        )
    )
    stack.eventually(
        lambda: (
            gateway.get(
                "/api/notifications", params={"client_id": bandung["id"]}, headers=siti
            ).json()["items"]
            or None
        )
    )
    return {"bandung": bandung["id"], "surabaya": surabaya["id"], "referral": referral["id"]}


@pytest.fixture
async def reset_rows() -> AsyncIterator[None]:
    yield
    db.rows_of(None)


async def test_every_table_of_people_forces_row_level_security() -> None:
    for service, tables in PEOPLE_TABLES.items():
        engine = db.async_engine(stack.database_url(service))
        async with engine.connect() as conn:
            forced = dict(
                (
                    await conn.execute(
                        text(
                            "SELECT relname, relrowsecurity AND relforcerowsecurity FROM pg_class"
                            " WHERE relname = ANY(:t) AND relkind = 'r'"
                        ),
                        {"t": list(tables)},
                    )
                ).all()
            )
        await engine.dispose()
        assert forced == dict.fromkeys(tables, True), service


async def test_with_the_client_services_check_bypassed_no_other_regions_client_is_read(
    people: dict[str, Any], reset_rows: None
) -> None:
    container = client_bootstrap.build(rows="caller")
    ids = (UUID(people["bandung"]), UUID(people["surabaya"]))

    async def seen(region: str | None) -> dict[str, Any]:
        db.rows_of(region)
        async with container.uow() as uow:
            clients = {str(c) for c in ids if await uow.clients.get(c, BYPASSED)}
            found = await uow.clients.search(BYPASSED, limit=200, after=None, q="Uji Coba")
            async with container.sessions() as session:
                counts = (
                    await session.execute(
                        text(
                            "SELECT (SELECT count(*) FROM clients WHERE id = ANY(:ids)),"
                            " (SELECT count(*) FROM consents WHERE client_id = ANY(:ids)),"
                            " (SELECT count(*) FROM timeline_entries WHERE client_id = ANY(:ids))"
                        ),
                        {"ids": list(ids)},
                    )
                ).one()
        return {
            "get": clients,
            "search_regions": {c.region_code[:2] for c in found},
            "counts": tuple(counts),
        }

    surabaya = await seen("3578")
    assert surabaya["get"] == {people["surabaya"]}
    assert surabaya["search_regions"] == {"35"}
    assert surabaya["counts"][:2] == (1, 0)  # the Bandung client's consents stay hidden
    bandung = await seen("3273")
    assert bandung["get"] == {people["bandung"]}
    assert bandung["search_regions"] == {"32"}
    assert bandung["counts"][:2] == (1, 2)
    assert (await seen("32"))["get"] == {people["bandung"]}  # a province sees its regencies
    nobody = await seen(None)  # a transaction that names no region sees nothing
    assert nobody["get"] == set() and nobody["counts"] == (0, 0, 0)
    await container.engine.dispose()


async def test_another_regions_row_can_be_neither_changed_nor_written(
    people: dict[str, Any], reset_rows: None
) -> None:
    container = client_bootstrap.build(rows="caller")
    db.rows_of("3578")
    async with container.sessions() as session, session.begin():
        changed = await session.execute(
            text("UPDATE clients SET full_name = 'Diubah' WHERE id = :id"),
            {"id": UUID(people["bandung"])},
        )
        assert changed.rowcount == 0  # type: ignore[attr-defined]
    async with container.sessions() as session:
        with pytest.raises(Exception, match="row-level security"):
            async with session.begin():
                await session.execute(
                    text("UPDATE clients SET region_code = '3273' WHERE id = :id"),
                    {"id": UUID(people["surabaya"])},
                )
    await container.engine.dispose()


async def test_with_the_partner_check_bypassed_a_partner_reads_only_its_own_referrals(
    people: dict[str, Any], reset_rows: None
) -> None:
    container = referral_bootstrap.build(rows="caller")

    async def visible(region: str | None, partner: str | None) -> bool:
        db.rows_of(region, partner)
        async with container.uow() as uow:
            return await uow.referrals.get(UUID(people["referral"])) is not None

    assert await visible(None, "bank-nusantara")
    assert not await visible(None, "dompet-rakyat")
    assert not await visible("3578", None)
    assert await visible("3273", None)
    await container.engine.dispose()


async def test_with_the_region_check_bypassed_no_other_regions_notification_is_read(
    people: dict[str, Any], reset_rows: None
) -> None:
    container = notify_bootstrap.build(rows="caller")

    async def messages(region: str) -> int:
        db.rows_of(region)
        async with container.sessions() as session:
            repository = container.rules.repository(session)
            return len(await repository.for_client(UUID(people["bandung"]), BYPASSED, 100, None))

    assert await messages("3578") == 0
    assert await messages("3273") >= 1
    await container.engine.dispose()
