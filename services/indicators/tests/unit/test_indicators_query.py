"""The query through the bus over the in-memory read model: the events the worker applied
become the month's published answer, withheld as the domain says, with a follow-up counted
once its day has come by the bus's clock in Jakarta."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

from indicators_fakes import MIN_CELL, FakeIndicatorsUow, bus_over, deliver, event

from indicators.entrypoints.schemas import Indicators
from indicators.service_layer.commands import MonthIndicators
from indicators.service_layer.queries import IN_USE
from shared.contracts import Contract
from shared.contracts import client as client_contracts
from shared.contracts import referral as referral_contracts


def _registered(n: int, region: str, sex: str = "F") -> list[Contract]:
    return [
        event(
            client_contracts.ClientRegistered,
            client_id=str(uuid4()),
            region_code=region,
            sex=sex,
            registered_at="2026-11-10T03:00:00Z",
        )
        for _ in range(n)
    ]


async def test_month_indicators_counts_the_projected_rows_and_withholds_small_ones() -> None:
    uow = FakeIndicatorsUow()
    bus = bus_over(uow)
    clients = _registered(7, "3273") + _registered(2, "3204")
    referral = event(
        referral_contracts.ReferralSent,
        client_id=clients[0].client_id,  # type: ignore[attr-defined]
        sent_at="2026-11-12T03:00:00Z",
    )
    await deliver(bus, *clients, referral)

    answer = await bus.handle(MonthIndicators("2026-11", "32"))

    Indicators.model_validate(answer)  # the documented shape, unknown keys forbidden
    assert (answer["period"], answer["region"], answer["min_cell"]) == ("2026-11", "32", MIN_CELL)
    areas = {a["region_code"]: a for a in answer["areas"]}
    assert answer["total"]["clients_registered"]["total"] == 9
    assert areas["3204"]["clients_registered"]["total"] is None  # 2 people
    assert areas["3273"]["clients_registered"]["total"] is None  # 9 - 7 would give them away
    assert answer["total"]["referrals"]["sent"] is None  # 1 referral
    assert uow.published == [] and uow.commits == len(clients) + 1  # the query commits nothing


async def test_month_indicators_nationally_has_provinces_as_areas() -> None:
    uow = FakeIndicatorsUow()
    bus = bus_over(uow)
    await deliver(bus, *_registered(6, "3273"), *_registered(5, "5171"))

    answer = await bus.handle(MonthIndicators("2026-11", ""))

    assert [a["region_code"] for a in answer["areas"]] == ["32", "51"]
    assert answer["total"]["clients_registered"]["total"] == 11
    assert (await bus.handle(MonthIndicators("2026-10", "")))["areas"] == []


async def test_month_indicators_counts_follow_ups_due_by_today_in_jakarta() -> None:
    uow = FakeIndicatorsUow()
    clients = _registered(5, "3273")
    answers = [
        event(
            client_contracts.FollowUpAnswered,
            task_id=str(uuid4()),
            client_id=c.client_id,  # type: ignore[attr-defined]
            due_on="2027-03-06",
        )
        for c in clients
    ]
    await deliver(bus_over(uow), *clients, *answers)

    def in_use(answer: dict[str, Any]) -> Any:
        return answer["total"][IN_USE]["F"]

    evening_before = datetime(2027, 3, 5, 16, 59, tzinfo=UTC)  # 23:59 WIB on the 5th
    midnight = datetime(2027, 3, 5, 17, 0, tzinfo=UTC)  # 00:00 WIB on the 6th
    query = MonthIndicators("2027-03", "32")
    assert in_use(await bus_over(uow, now=evening_before).handle(query)) is None
    assert in_use(await bus_over(uow, now=midnight).handle(query)) == 1.0
    asked_early = MonthIndicators("2027-03", "32", today=date(2027, 3, 5))
    assert in_use(await bus_over(uow, now=midnight).handle(asked_early)) is None
