"""The account follow-ups an officer answers reach the ministry's figures: the share of
accounts in the client's own name at 30 days and still in use at 90 days, by sex, counted in
the month of the follow-up's day once that day has come (a clock the test controls).

Six women of Kabupaten Kuningan (3208, a regency no other test writes to) have an account
opened; rina, the province's supervisor who registered them, answers both follow-ups of each.
The shares are ratios only, printed when both counts are at least 5: five of six still use
their account. The test owns the regency's follow-ups in the indicators' read model: on a
long-lived stack it clears those of its earlier runs (once the worker has read them) first."""

from __future__ import annotations

import asyncio
import random
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from indicators import bootstrap as indicators_bootstrap
from indicators.service_layer import queries
from indicators.service_layer.bus import message_bus
from indicators.service_layer.commands import MonthIndicators
from shared.messaging.watchdog import unread
from support import stack
from support.follow_ups import follow_up_tasks, publish_completed
from support.people import nik_for

pytestmark = pytest.mark.integration

REGENCY = "3208"
WOMEN = 6


def _woman(rng: random.SystemRandom) -> dict[str, Any]:
    birth = date(rng.randrange(1970, 2000), rng.randrange(1, 13), rng.randrange(1, 28))
    return {
        "kind": "worker",
        "nik": nik_for(birth, "F", district=f"{REGENCY}01"),
        "full_name": "Uji Tindak Lanjut",
        "birth_date": birth.isoformat(),
        "sex": "F",
        "phone": f"+62812{rng.randrange(10_000_000, 99_999_999)}",
        "region_code": REGENCY,
    }


async def _as_of(period: str, today: date) -> dict[str, Any]:
    container = indicators_bootstrap.build()
    try:
        bus = message_bus(container.sessions, container.settings.min_cell)
        return await bus.handle(MonthIndicators(period, REGENCY, today=today))
    finally:
        await container.engine.dispose()


def _answered_total(period: str, today: date, key: str) -> float | None:
    return asyncio.run(_as_of(period, today))["total"][key]["F"]  # type: ignore[no-any-return]


def _forget_earlier_runs() -> None:
    topics = ("client.events", "referral.events", "training.events")
    stack.eventually(
        lambda: unread(stack.KAFKA, "indicators", topics, stack.ADMIN) == 0, timeout_s=120
    )
    engine = create_engine(stack.database_url("indicators"))
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM follow_ups WHERE region_code = :r"), {"r": REGENCY})
    engine.dispose()


def test_answered_follow_ups_count_for_the_ministry_when_their_day_comes(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    _forget_earlier_runs()
    rina = {"Authorization": f"Bearer {tokens['rina']}"}
    rng = random.SystemRandom()
    clients = []
    for _ in range(WOMEN):
        answer = gateway.post("/api/clients", json=_woman(rng), headers=rina)
        assert answer.status_code == 201, answer.text
        clients.append(answer.json())
    publish_completed(clients)

    due: dict[int, date] = {}
    for n, client in enumerate(clients):
        client_id = client["id"]
        tasks = follow_up_tasks(gateway, rina, client_id)
        for kind, answers in (
            ("account_follow_up_30", {"account_in_own_name": True, "account_in_use": True}),
            # five of six still use the account at 90 days
            ("account_follow_up_90", {"account_in_use": n > 0}),
        ):
            task = tasks[kind]
            due[int(kind[-2:])] = date.fromisoformat(task["due_on"])
            done = gateway.post(
                f"/api/clients/{client_id}/cases/{task['case_id']}/tasks/{task['id']}/completion",
                json={"outcome": "Ditelepon"} | answers,
                headers=rina,
            )
            assert done.status_code == 200, done.text

    # Every answer given today, before the accounts are 30 or 90 days old.
    ninety, thirty = due[90], due[30]
    in_use, own_name = queries.IN_USE, queries.IN_OWN_NAME

    def counted() -> bool:
        """The indicators worker has read every answer (each client's 30-day answer comes
        before its 90-day one, on the same partition)."""
        return _answered_total(f"{ninety:%Y-%m}", ninety, in_use) == round(5 / 6, 4)

    stack.eventually(counted, timeout_s=60, every_s=1)
    assert _answered_total(f"{ninety:%Y-%m}", ninety - timedelta(days=1), in_use) is None
    assert _answered_total(f"{thirty:%Y-%m}", thirty - timedelta(days=1), own_name) is None
    assert _answered_total(f"{thirty:%Y-%m}", thirty, own_name) == 1.0
    men = asyncio.run(_as_of(f"{ninety:%Y-%m}", ninety))["total"][in_use]["M"]
    assert men is None  # no man's answer: withheld, never a zero

    # The ministry reads through the gateway today: the 90th day has not come yet.
    published = gateway.get(
        "/api/ministry/indicators",
        params={"period": f"{ninety:%Y-%m}", "region": REGENCY},
        headers={"Authorization": f"Bearer {tokens['ministry']}"},
    )
    assert published.status_code == 200, published.text
    assert published.json()["total"][in_use] == {"F": None, "M": None}
