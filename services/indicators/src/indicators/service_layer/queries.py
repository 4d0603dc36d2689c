"""The one question the ministry asks: the indicators of a month, nationally or for an area.

`indicators` is the query's handler on the bus (service_layer/bus.py): it reads the month's rows
through the unit of work, then the domain builds and withholds the answer
(domain/report.py, suppression.py) and the shares are added beside the counts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from indicators.domain import erasures as erasure_shares
from indicators.domain import follow_ups as follow_up_shares
from indicators.domain import report
from indicators.service_layer import commands
from indicators.service_layer.unit_of_work import IndicatorsUnitOfWork
from shared.calendar import local_now

ERASURES = "erasures_confirmed_in_time"
IN_OWN_NAME = "accounts_in_own_name_at_30_days"
IN_USE = "accounts_in_use_at_90_days"
JAKARTA = "31"  # the ministry's own region, whose date is the country's "today"


Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The clock the bus gives the query outside tests."""
    return datetime.now(UTC)


def national_today(now: datetime | None = None) -> date:
    """The date in Jakarta (WIB) at `now`, by default the current time."""
    return local_now(JAKARTA, now or utc_now()).date()


async def indicators(
    query: commands.MonthIndicators, uow: IndicatorsUnitOfWork, min_cell: int, clock: Clock
) -> dict[str, Any]:
    """The answer for the query's month and area, withheld with `min_cell` as its smallest
    printed count; one read-only transaction over the read model."""
    today = query.today or national_today(clock())
    period, within = query.period, query.within
    async with uow:
        clients = await uow.figures.clients(period, within)
        referrals = await uow.figures.referrals(period, within)
        trainings = await uow.figures.trainings(period, within)
        erasures = await uow.figures.erasures(period, within)
        follow_ups = await uow.figures.follow_ups(period, within, today)
    published = report.build(period, within, clients, referrals, trainings, min_cell)
    published = with_erasures(
        published, erasure_shares.confirmed_in_time(erasures, within, min_cell)
    )
    return with_follow_ups(
        published, follow_up_shares.account_shares(follow_ups, period, today, within, min_cell)
    )


def with_erasures(
    published: dict[str, Any], shares: erasure_shares.ErasureShares
) -> dict[str, Any]:
    """Each row of the answer with the share of erasures confirmed in time per partner type:
    ratios only, outside the counts' suppression (domain/erasures.py says why)."""
    published["total"][ERASURES] = shares.total
    for area in published["areas"]:
        area[ERASURES] = shares.of_area(area["region_code"])
    return published


def with_follow_ups(
    published: dict[str, Any], shares: follow_up_shares.FollowUpShares
) -> dict[str, Any]:
    """Each row of the answer with the shares of accounts in the client's own name at 30
    days and in use at 90, by sex: ratios only, outside the counts' suppression
    (domain/follow_ups.py says why)."""
    figures = {IN_OWN_NAME: shares.in_own_name_at_30_days, IN_USE: shares.in_use_at_90_days}
    for key, by_sex in figures.items():
        published["total"][key] = by_sex.total
        for area in published["areas"]:
            area[key] = by_sex.of_area(area["region_code"])
    return published


def flatten(published: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per cell (area, indicator, breakdown): the shape of the CSV."""
    rows: list[dict[str, Any]] = []

    def walk(area: dict[str, Any], prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(area, f"{prefix}.{key}" if prefix else key, inner)
            return
        rows.append(
            {
                "period": published["period"],
                "region_code": area["region_code"],
                "level": area["level"],
                "indicator": prefix,
                "value": "" if value is None else value,
                "suppressed": value is None,
            }
        )

    for area in (published["total"], *published["areas"]):
        for key, value in area.items():
            if key not in ("region_code", "level"):
                walk(area, key, value)
    return rows
