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
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from kafka import KafkaProducer
from sqlalchemy import create_engine, text

from indicators import bootstrap as indicators_bootstrap
from indicators.service_layer import queries
from shared.contracts import referral as referral_contracts
from shared.messaging.envelope import Envelope
from shared.messaging.watchdog import unread
from support import stack
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


def _account_opened(producer: KafkaProducer, client_id: str) -> None:
    """What the referral service publishes when a partner reports an opened account."""
    data = referral_contracts.ReferralCompleted(
        referral_id=uuid.uuid4(),
        client_id=uuid.UUID(client_id),
        region_code=REGENCY,
        partner_code="bank-nusantara",
        product_code="savings-basic",
        outcome="account_opened",
        completed_at=datetime.now(UTC),
    )
    key, value, headers = Envelope(
        type=data.TYPE,
        source=referral_contracts.SOURCE,
        subject=f"referral/{data.referral_id}",
        key=client_id,
        data=data.to_data(),
    ).to_kafka()
    producer.send(referral_contracts.TOPIC, key=key, value=value, headers=headers).get(30)


async def _as_of(period: str, today: date) -> dict[str, Any]:
    container = indicators_bootstrap.build()
    try:
        return await queries.indicators(
            container.sessions, period, REGENCY, container.settings.min_cell, today=today
        )
    finally:
        await container.engine.dispose()


def _answered_total(period: str, today: date, key: str) -> float | None:
    return asyncio.run(_as_of(period, today))["total"][key]["F"]  # type: ignore[no-any-return]


def _forget_earlier_runs() -> None:
    topics = ("client.events", "referral.events", "training.events")
    stack.eventually(lambda: unread(stack.KAFKA, "indicators", topics) == 0, timeout_s=120)
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
        clients.append(answer.json()["id"])
    producer = KafkaProducer(bootstrap_servers=stack.KAFKA, acks="all", enable_idempotence=True)
    for client_id in clients:
        _account_opened(producer, client_id)
    producer.close()

    def follow_ups(client_id: str) -> dict[str, dict[str, Any]] | None:
        cases = gateway.get(f"/api/clients/{client_id}/cases", headers=rina).json()["items"]
        tasks = {t["kind"]: t | {"case_id": c["id"]} for c in cases for t in c["tasks"]}
        return tasks if len(tasks) == 2 else None

    due: dict[int, date] = {}
    for n, client_id in enumerate(clients):
        tasks = stack.eventually(lambda c=client_id: follow_ups(c), timeout_s=60)
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
