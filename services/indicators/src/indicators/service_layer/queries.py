"""The one question the ministry asks: the indicators of a month, nationally or for an area."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from indicators.adapters.repository import ReadModel
from indicators.domain import erasures as erasure_shares
from indicators.domain import report

ERASURES = "erasures_confirmed_in_time"


async def indicators(
    sessions: async_sessionmaker[AsyncSession], period: str, within: str, min_cell: int
) -> dict[str, Any]:
    async with sessions() as session, session.begin():
        model = ReadModel(session)
        clients = await model.clients(period, within)
        referrals = await model.referrals(period, within)
        trainings = await model.trainings(period, within)
        erasures = await model.erasures(period, within)
    published = report.build(period, within, clients, referrals, trainings, min_cell)
    return with_erasures(published, erasure_shares.confirmed_in_time(erasures, within, min_cell))


def with_erasures(
    published: dict[str, Any], shares: erasure_shares.ErasureShares
) -> dict[str, Any]:
    """Each row of the answer with the share of erasures confirmed in time per partner type:
    ratios only, outside the counts' suppression (domain/erasures.py says why)."""
    published["total"][ERASURES] = shares.total
    for area in published["areas"]:
        area[ERASURES] = shares.of_area(area["region_code"])
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
