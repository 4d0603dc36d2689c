"""Breaches against real PostgreSQL: the affected rule in SQL, notices once per person, the
audit of the list, the late scan, row-level security by the breach's regions, and the API
in-process with the demo people's real tokens.

The client service's migrations run into a schema of this test's own in the `_test`
database, so no other test's clients are counted and nothing is left behind.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import httpx
import pytest
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from client.adapters import orm
from client.adapters.breaches import BreachRepository
from client.adapters.repositories.clients import ClientRepository
from client.adapters.repositories.nik import NikProtector
from client.domain.breach import Breach
from client.domain.model import Client, FinancialProfile
from client.entrypoints.app import create
from client.settings import ClientSettings
from shared.auth import RegionScope
from shared.contracts import client as client_contracts
from shared.crypto import BlindIndex, Keyring, derive_key
from shared.db import upgrade
from support import stack
from support.people import nik_for

pytestmark = pytest.mark.integration

NIKS = NikProtector(
    Keyring.from_secrets("k=nik-secret", "nik-aes-gcm-v1", b"clients.nik"),
    BlindIndex(derive_key("index-secret", "nik-hmac-index-v1")),
)
FOUND = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
EVERYWHERE = RegionScope("")
_PUBLIC_VERSION = text(
    "SELECT version_num FROM public.alembic_version"
    " WHERE to_regclass('public.alembic_version') IS NOT NULL"
)


class _Regions:
    def exists(self, code: str) -> bool:
        return True


@pytest.fixture(scope="module")
def schema() -> Iterator[str]:
    name = f"breach_{uuid.uuid4().hex[:8]}"
    url = stack.database_url("client", test=True)
    # The test database's own tables first (a fresh one has none yet): its version is what the
    # check below holds still, and pg_trgm then lives in `public`, not in the dropped schema.
    upgrade("client.migrations", url)
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
        # Alembic finds the first `alembic_version` on the search path: an empty one here
        # makes it build every table in this schema, leaving the database's own untouched
        # (`public` stays on the path for the pg_trgm operator classes).
        conn.execute(
            text(
                f'CREATE TABLE "{name}".alembic_version (version_num varchar(32) NOT NULL, '
                "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
            )
        )
        before = conn.execute(_PUBLIC_VERSION).all()
    try:
        upgrade("client.migrations", _url(name))
        with admin.begin() as conn:
            after = conn.execute(_PUBLIC_VERSION).all()
            own = conn.execute(text(f"SELECT to_regclass('\"{name}\".breaches')")).scalar()
        assert after == before and own is not None, "the migrations left their own schema"
        yield name
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


def _url(schema: str) -> str:
    return f"{stack.database_url('client', test=True)}?options=-csearch_path%3D{schema},public"


@pytest.fixture(scope="module")
async def engine(schema: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(_url(schema))
    yield engine
    await engine.dispose()


async def _as(session: AsyncSession, region: str) -> None:
    """The transaction's rows, as the API engine sets them from a token (decision 0011)."""
    await session.execute(text("SELECT set_config('jembatan.region', :r, true)"), {"r": region})


def _client(number: int, region: str, registered_at: datetime) -> Client:
    born = date(1980 + number % 20, 1 + number % 12, 1 + number % 28)
    return Client.register(
        kind="worker",
        nik=nik_for(born, "F", f"{region}01"),
        full_name=f"Peserta {number}",
        birth_date=born,
        sex="F",
        phone="+6281200000000",
        phone_is_mobile=True,
        email=None,
        region_code=region,
        preferred_language="en" if number % 2 else "id",
        disability=False,
        financial_profile=FinancialProfile(),
        business=None,
        registered_by="officer",
        now=registered_at,
        regions=_Regions(),
    )


def _breach(regions: tuple[str, ...], period_to: datetime) -> Breach:
    return Breach.record(
        category="unauthorised_access",
        description="Akun layanan dipakai dari luar.",
        handling="Akun dikunci dan kata sandi diganti.",
        data_kinds=("name", "contact"),
        systems=("client",),
        found_at=FOUND,
        period_from=FOUND - timedelta(days=30),
        period_to=period_to,
        regions=regions,
        by="admin-sub",
        now=FOUND + timedelta(hours=1),
        directory=_Regions(),
    )


@pytest.fixture(scope="module")
async def clients(engine: AsyncEngine) -> dict[str, Client]:
    made = {
        "bandung_early": _client(1, "3273", FOUND - timedelta(days=40)),
        "bandung_late": _client(2, "3273", FOUND - timedelta(hours=2)),
        "bandung_merged": _client(3, "3273", FOUND - timedelta(days=3)),
        "bogor": _client(4, "3201", FOUND - timedelta(days=3)),
        "surabaya": _client(5, "3578", FOUND - timedelta(days=3)),
    }
    async with AsyncSession(engine) as session, session.begin():
        await _as(session, "all")
        await ClientRepository(session, NIKS).add_many(list(made.values()))
        await session.execute(
            update(orm.clients)
            .where(orm.clients.c.id == made["bandung_merged"].id)
            .values(merged_into=made["bandung_early"].id)
        )
    return made


async def test_the_rule_selects_the_regions_records_registered_before_the_period_ended(
    engine: AsyncEngine, clients: dict[str, Client]
) -> None:
    breach = _breach(("3273", "3578"), FOUND - timedelta(days=1))
    async with AsyncSession(engine) as session, session.begin():
        await _as(session, "all")
        breaches = BreachRepository(session)
        breach.counts = await breaches.count_affected(breach.regions, breach.period_to)
        await breaches.add(breach)
        first = await breaches.affected(breach, limit=2, after=None)
        rest = await breaches.affected(breach, limit=2, after=first[-1].id)
        told = await breaches.to_notify(breach)
        await breaches.audit_reads(actor="admin-sub", username="admin", breach=breach, read=first)

    assert breach.counts == {"3273": 2, "3578": 1}
    listed = {c.id for c in first + rest}
    expected = {clients[k].id for k in ("bandung_early", "bandung_merged", "surabaya")}
    assert listed == expected and len(first + rest) == 3
    assert [c.id for c in first + rest] == sorted(listed)
    # The merged duplicate is the same person as the record it went into: told once.
    assert {c.id for c in told} == {clients["bandung_early"].id, clients["surabaya"].id}
    async with AsyncSession(engine) as session, session.begin():
        await _as(session, "all")
        reads = (
            await session.execute(
                select(orm.record_reads.c.record_id, orm.record_reads.c.reference).where(
                    orm.record_reads.c.purpose == "breach"
                )
            )
        ).all()
    assert {r.record_id for r in reads} == {c.id for c in first}
    assert {r.reference for r in reads} == {f"breach:{breach.id}"}


async def test_a_supervisor_s_transaction_sees_only_breaches_and_counts_of_the_province(
    engine: AsyncEngine, clients: dict[str, Client]
) -> None:
    both = _breach(("3273", "3578"), FOUND - timedelta(days=1))
    province = _breach(("32",), FOUND - timedelta(days=1))
    async with AsyncSession(engine) as session, session.begin():
        await _as(session, "all")
        breaches = BreachRepository(session)
        for breach in (both, province):
            breach.counts = await breaches.count_affected(breach.regions, breach.period_to)
            await breaches.add(breach)

    # The services' own region filter switched off: PostgreSQL alone keeps the rest out.
    async def seen_as(region: str) -> dict[UUID, dict[str, int]]:
        async with AsyncSession(engine) as session, session.begin():
            await _as(session, region)
            found = await BreachRepository(session).newest(EVERYWHERE, 100, None)
        return {b.id: b.counts for b in found}

    jawa_barat, jawa_timur, nobody = await seen_as("32"), await seen_as("35"), await seen_as("")
    assert jawa_barat[both.id] == {"3273": 2} and jawa_barat[province.id] == {"3201": 1, "3273": 2}
    assert province.id not in jawa_timur and jawa_timur[both.id] == {"3578": 1}
    assert nobody == {}


async def test_the_late_scan_finds_a_breach_after_its_deadline_until_it_is_escalated(
    engine: AsyncEngine, clients: dict[str, Client]
) -> None:
    breach = _breach(("3578",), FOUND - timedelta(days=1))
    async with AsyncSession(engine) as session, session.begin():
        await _as(session, "all")
        await BreachRepository(session).add(breach)

    async def late_at(now: datetime) -> set[UUID]:
        async with AsyncSession(engine) as session, session.begin():
            await _as(session, "all")
            repository = BreachRepository(session)
            found = await repository.late(now, 100)
            for late in found:
                if late.id == breach.id and late.escalate(now):
                    await repository.save(late)
        return {b.id for b in found}

    assert breach.id not in await late_at(breach.due_at - timedelta(seconds=1))
    assert breach.id in await late_at(breach.due_at + timedelta(seconds=1))
    assert breach.id not in await late_at(breach.due_at + timedelta(days=1))


@pytest.fixture
async def api(schema: str, clients: dict[str, Client]) -> AsyncIterator[httpx.AsyncClient]:
    """The client API in this process, on this test's schema; callers' rows as in production."""
    app = create(ClientSettings(database_url=_url(schema)), configure_process=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://client") as http:
        yield http
    await app.state.container.engine.dispose()


def _body(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "category": "disclosure",
        "description": "Ekspor data terkirim ke alamat yang salah.\nPenerima sudah dihubungi.",
        "handling": "Penerima menghapus berkasnya.",
        "data_kinds": ["name", "contact"],
        "systems": ["client"],
        "found_at": FOUND.isoformat(),
        "period": {
            "from": (FOUND - timedelta(days=30)).isoformat(),
            "to": (FOUND - timedelta(days=1)).isoformat(),
        },
        "regions": ["3273"],
    }
    body.update(overrides)
    return body


def _bearer(tokens: dict[str, str], who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[who]}"}


async def test_an_administrator_records_a_breach_and_lists_its_people_audited(
    api: httpx.AsyncClient, clients: dict[str, Client], tokens: dict[str, str]
) -> None:
    admin = _bearer(tokens, "admin")
    recorded = await api.post("/api/client/breaches", json=_body(), headers=admin)
    assert recorded.status_code == 201, recorded.text
    breach = recorded.json()
    assert breach["counts"] == [{"region_code": "3273", "clients": 2}]
    assert breach["due_at"].startswith("2026-12-07T09:30:00")
    assert breach["pending"] == ["people", "authority"]
    assert breach["late"] is (datetime.now(UTC) > FOUND + timedelta(hours=72))

    listed = await api.get(f"/api/client/breaches/{breach['id']}/affected", headers=admin)
    assert listed.status_code == 200, listed.text
    assert {c["client_id"] for c in listed.json()["items"]} == {
        str(clients["bandung_early"].id),
        str(clients["bandung_merged"].id),
    }
    assert listed.headers["cache-control"] == "no-store"
    everything = await api.get("/api/client/breaches", headers=admin)
    assert breach["id"] in [b["id"] for b in everything.json()["items"]]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"description": "NIK 3273014506900007 terbaca"}, "description"),
        ({"handling": "Hubungi 0812-3456-7890"}, "handling"),
        ({"period": {"from": FOUND.isoformat(), "to": FOUND.isoformat()}}, "period.to"),
        ({"regions": ["3"]}, "regions.0"),
        ({"data_kinds": ["shoe_size"]}, "data_kinds.0"),
    ],
)
async def test_a_bad_breach_is_refused_naming_the_field_and_echoing_nothing(
    api: httpx.AsyncClient, tokens: dict[str, str], overrides: dict[str, object], field: str
) -> None:
    refused = await api.post(
        "/api/client/breaches", json=_body(**overrides), headers=_bearer(tokens, "admin")
    )
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in refused.json()["errors"]] == [field]
    assert "3273014506900007" not in refused.text and "3456-7890" not in refused.text


async def test_only_administrators_act_and_a_supervisor_reads_the_province_s_breaches(
    api: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    admin = _bearer(tokens, "admin")
    bandung = (await api.post("/api/client/breaches", json=_body(), headers=admin)).json()
    surabaya = (
        await api.post("/api/client/breaches", json=_body(regions=["3578"]), headers=admin)
    ).json()
    for who in ("siti", "budi", "rina"):
        assert (
            await api.post("/api/client/breaches", json=_body(), headers=_bearer(tokens, who))
        ).status_code == 403
    for who in ("siti", "budi"):
        path = f"/api/client/breaches/{bandung['id']}"
        assert (await api.get(path, headers=_bearer(tokens, who))).status_code == 403
    rina = _bearer(tokens, "rina")
    assert (await api.get(f"/api/client/breaches/{bandung['id']}", headers=rina)).status_code == 200
    hidden = await api.get(f"/api/client/breaches/{surabaya['id']}", headers=rina)
    assert hidden.status_code == 404 and surabaya["id"] not in hidden.text
    seen = [b["id"] for b in (await api.get("/api/client/breaches", headers=rina)).json()["items"]]
    assert bandung["id"] in seen and surabaya["id"] not in seen
    people = await api.get(f"/api/client/breaches/{bandung['id']}/affected", headers=rina)
    assert people.status_code == 403


async def test_notices_go_once_and_the_authority_letter_holds_counts_only(
    api: httpx.AsyncClient, engine: AsyncEngine, clients: dict[str, Client], tokens: dict[str, str]
) -> None:
    admin = _bearer(tokens, "admin")
    breach = (
        await api.post("/api/client/breaches", json=_body(regions=["32", "3578"]), headers=admin)
    ).json()
    base = f"/api/client/breaches/{breach['id']}"

    approved = await api.post(f"{base}/notify-people", headers=admin)
    assert approved.status_code == 200, approved.text
    # bandung_merged went into bandung_early, itself affected: one notice for that person.
    assert approved.json()["people_told"] == 3
    assert approved.json()["pending"] == ["authority"]
    assert (await api.post(f"{base}/notify-people", headers=admin)).status_code == 409
    async with AsyncSession(engine) as session, session.begin():
        await _as(session, "all")
        notices = (
            await session.execute(
                select(orm.outbox.c.msg_key).where(
                    orm.outbox.c.event_type == client_contracts.BreachNoticeApproved.TYPE,
                    orm.outbox.c.payload["breach_id"].astext == breach["id"],
                )
            )
        ).scalars()
        assert set(notices) == {str(clients[k].id) for k in ("bandung_early", "bogor", "surabaya")}

    letter = await api.get(f"{base}/authority-notice", headers=admin)
    assert letter.status_code == 200 and letter.headers["content-type"].startswith("text/plain")
    assert "wilayah 3273: 2 orang" in letter.text and "Pasal 46" in letter.text
    assert not any(str(c.id) in letter.text or c.full_name in letter.text for c in clients.values())

    future = (FOUND + timedelta(days=3650)).isoformat()
    too_late = await api.post(
        f"{base}/authority-notified", json={"notified_at": future}, headers=admin
    )
    assert too_late.status_code == 422 and too_late.json()["errors"][0]["field"] == "notified_at"
    told = await api.post(f"{base}/authority-notified", json={}, headers=admin)
    assert told.status_code == 200 and told.json()["pending"] == []
    again = await api.post(f"{base}/authority-notified", json={}, headers=admin)
    assert again.status_code == 409
