"""Notify turns breach events into messages: the notice in the client's language over the
channels they consented to, and an urgent e-mail to the administrators when the deadline
passed. The real reactions against real PostgreSQL (notify's `_test` database)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from sqlalchemy import delete, select

from notify import bootstrap
from notify.adapters import orm
from notify.adapters.templates import render
from notify.service_layer.planning import Rules, Work
from notify.service_layer.reactions import (
    alert_administrators_of_late_data_breach,
    tell_client_of_data_breach,
)
from notify.settings import NotifySettings
from shared.contracts import client as client_contracts
from shared.db import upgrade
from shared.messaging.envelope import Envelope
from support import stack

pytestmark = pytest.mark.integration

FOUND = datetime(2026, 12, 6, 16, 30, tzinfo=UTC)  # 23:30 WIB on the 6th
LATE_AT_NIGHT = datetime(2026, 12, 9, 17, 0, tzinfo=UTC)  # 00:00 WIB: quiet hours


@pytest.fixture
async def container() -> AsyncIterator[bootstrap.Container]:
    url = stack.database_url("notify", test=True)
    upgrade("notify.migrations", url)
    container = bootstrap.build(NotifySettings(database_url=url))
    yield container
    await container.engine.dispose()


def _envelope(
    data: client_contracts.BreachNoticeApproved | client_contracts.BreachEscalated,
) -> Envelope:
    key = str(getattr(data, "client_id", data.breach_id))
    return Envelope(
        type=data.TYPE,
        source=client_contracts.SOURCE,
        subject="breach",
        key=key,
        data=data.to_data(),
    )


async def _planned(container: bootstrap.Container, event_id: UUID) -> list[dict[str, object]]:
    async with container.sessions() as session:
        rows = await session.execute(
            select(orm.notifications).where(orm.notifications.c.event_id == event_id)
        )
        return [dict(r._mapping) for r in rows]


async def test_a_notice_goes_in_english_over_the_consented_channel_only(
    container: bootstrap.Container,
) -> None:
    client_id, breach_id = uuid4(), uuid4()
    notice = _envelope(
        client_contracts.BreachNoticeApproved(
            breach_id=breach_id,
            client_id=client_id,
            region_code="3273",
            category="disclosure",
            data_kinds=["name", "contact"],
            found_at=FOUND,
            handling="Penerima sudah menghapus berkasnya.",
            approved_at=FOUND + timedelta(hours=5),
        )
    )
    rules = Rules(contacts=container.rules.contacts, clock=lambda: LATE_AT_NIGHT)
    try:
        async with container.sessions.begin() as session:
            work = Work.begin(session, rules)
            await work.book.remember_client(client_id, "3273", "en", phone="+6281299990000")
            await work.book.grant(uuid4(), client_id, ["sms"], FOUND)
            await tell_client_of_data_breach(work, notice)
            await work.finish()

        planned = {row["channel"]: row for row in await _planned(container, notice.id)}
        assert {c: (r["status"], r["reason"]) for c, r in planned.items()} == {
            "sms": ("scheduled", None),
            "whatsapp": ("suppressed", "no_consent"),
            "email": ("suppressed", "no_consent"),
        }
        sms = planned["sms"]
        assert sms["template"] == "breach_notice" and sms["language"] == "en"
        # Not urgent: a notice handled at midnight in Bandung waits for 07:00 WIB.
        assert sms["not_before"] == datetime(2026, 12, 10, 0, 0, tzinfo=UTC)
        text = render("breach_notice", "en", sms["context"]).text  # type: ignore[arg-type]
        assert f"(ref {breach_id.hex[:8].upper()})" in text
        assert "On 6 Dec 2026 we found data disclosed to someone not entitled" in text
        assert "name, phone number and e-mail" in text
    finally:
        async with container.sessions.begin() as session:
            await session.execute(
                delete(orm.notifications).where(orm.notifications.c.event_id == notice.id)
            )
            for table in (orm.notification_consents, orm.client_facts):
                await session.execute(delete(table).where(table.c.client_id == client_id))


async def test_a_late_breach_is_an_urgent_email_to_the_administrators(
    container: bootstrap.Container,
) -> None:
    escalation = _envelope(
        client_contracts.BreachEscalated(
            breach_id=uuid4(),
            category="loss",
            region_codes=["3273", "3578"],
            found_at=FOUND,
            due_at=FOUND + timedelta(hours=72),
            pending=["authority"],
            escalated_at=LATE_AT_NIGHT,
        )
    )
    rules = Rules(contacts=container.rules.contacts, clock=lambda: LATE_AT_NIGHT)
    try:
        async with container.sessions.begin() as session:
            work = Work.begin(session, rules)
            await alert_administrators_of_late_data_breach(work, escalation)
            await work.finish()

        [row] = await _planned(container, escalation.id)
        assert (row["recipient"], row["channel"], row["client_id"]) == (
            "administrators",
            "email",
            None,
        )
        assert row["status"] == "scheduled" and row["not_before"] == LATE_AT_NIGHT
        rendered = render("breach_escalated", "id", row["context"])  # type: ignore[arg-type]
        assert "Belum diberi tahu: lembaga Pelindungan Data Pribadi." in rendered.text
        assert "(Rab, 9 Des 2026 23.30 WIB)" in rendered.text
    finally:
        async with container.sessions.begin() as session:
            await session.execute(
                delete(orm.notifications).where(orm.notifications.c.event_id == escalation.id)
            )
