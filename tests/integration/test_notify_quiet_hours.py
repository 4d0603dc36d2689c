"""Quiet hours with a controllable clock: the real planning code against real PostgreSQL.

An event handled at 22:30 in the client's own zone waits until 07:00 there: WITA for a
client in Bali (province 51), WIB for a client in Java. Urgent supervisor alerts do not wait.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from notify import bootstrap
from notify.adapters import orm
from notify.service_layer.planning import Rules, Work, alert_supervisors, tell_client
from notify.settings import NotifySettings
from shared.db import upgrade
from support import stack

pytestmark = pytest.mark.integration

WITA, WIB = ZoneInfo("Asia/Makassar"), ZoneInfo("Asia/Jakarta")


@pytest.fixture
def container() -> bootstrap.Container:
    url = stack.database_url("notify", test=True)
    upgrade("notify.migrations", url)
    return bootstrap.build(NotifySettings(database_url=url))


async def _planned_at(container: bootstrap.Container, region: str, now: datetime) -> datetime:
    client_id, event_id = uuid4(), uuid4()
    async with container.sessions.begin() as session:
        work = Work.begin(session, container.rules)
        await work.book.remember_client(client_id, region, "id", phone="+6281299990000")
        await work.book.grant(uuid4(), client_id, ["sms"], now)
        await tell_client(
            work,
            event_id=event_id,
            client_id=client_id,
            region_code=region,
            kind="client_registered",
            context={},
            now=now,
        )
        await work.finish()
    async with container.sessions() as session:
        sms = (
            await session.execute(
                select(orm.notifications).where(
                    orm.notifications.c.event_id == event_id, orm.notifications.c.channel == "sms"
                )
            )
        ).one()
    assert sms.status == "scheduled" and sms.not_before is not None
    return sms.not_before


@pytest.mark.parametrize(
    ("region", "zone"),
    [("5171", WITA), ("3273", WIB)],  # Kota Denpasar (Bali), Kota Bandung (Jawa Barat)
)
async def test_an_event_at_half_past_ten_at_night_waits_until_seven_local(
    container: bootstrap.Container, region: str, zone: ZoneInfo
) -> None:
    now = datetime(2026, 12, 1, 22, 30, tzinfo=zone).astimezone(UTC)
    try:
        assert await _planned_at(container, region, now) == datetime(2026, 12, 2, 7, 0, tzinfo=zone)
        daytime = datetime(2026, 12, 1, 10, 30, tzinfo=zone).astimezone(UTC)
        assert await _planned_at(container, region, daytime) == daytime
    finally:
        await container.engine.dispose()


async def test_supervisors_alerts_are_not_held_for_quiet_hours(
    container: bootstrap.Container,
) -> None:
    late = datetime(2026, 12, 1, 23, 0, tzinfo=WIB).astimezone(UTC)
    rules = Rules(contacts=container.rules.contacts, clock=lambda: late)
    event_id = uuid4()
    try:
        async with container.sessions.begin() as session:
            work = Work.begin(session, rules)
            await alert_supervisors(
                work,
                event_id=event_id,
                region_code="3273",
                kind="sla_breach",
                context={
                    "referral_id": str(uuid4()),
                    "partner_code": "bank-nusantara",
                    "breach": "mitra belum menanggapi dalam 2 hari kerja",
                    "region_code": "3273",
                },
            )
            await work.finish()
        async with container.sessions() as session:
            row = (
                await session.execute(
                    select(orm.notifications).where(orm.notifications.c.event_id == event_id)
                )
            ).one()
        assert row.recipient == "supervisor:32" and row.channel == "email"
        assert row.not_before == late
    finally:
        await container.engine.dispose()
