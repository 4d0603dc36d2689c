"""`GET /api/ministry/indicators`: aggregates for the ministry (role `ministry`), JSON or CSV;
`GET /api/indicators/my-region`: the same for an officer's or supervisor's own area.

Each route sends one `MonthIndicators` on the bus and shapes the answer; the answer is the
domain's as built (`Indicators` in schemas.py documents it), or its cells as CSV lines.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from indicators.entrypoints.dependencies import Bus
from indicators.entrypoints.schemas import EXAMPLE, Indicators
from indicators.service_layer import queries
from indicators.service_layer.commands import MonthIndicators
from shared.auth import CaseWorker, Ministry
from shared.problems import Problem

router = APIRouter(prefix="/api/ministry", tags=["ministry"])
regional_router = APIRouter(prefix="/api/indicators", tags=["regional"])
Period = Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-11"])]
CSV_FIELDS = ("period", "region_code", "level", "indicator", "value", "suppressed")


@router.get(
    "/indicators",
    response_model=None,  # JSON (the schema below) or CSV
    responses={
        200: {
            "description": "Aggregates only (docs/indicators.md). `null` is a withheld cell: "
            "1 to 4 people, or withheld so that no such cell can be worked out from the "
            "others. A zero is printed as 0. A ratio, mean or median is `null` unless the "
            "counts it stands on are printed and at least 5. The shares of erasures confirmed "
            "in time and of accounts in the client's own name at 30 days and in use at 90 (by "
            "sex, of the follow-ups due in the month by today in Jakarta) are ratios whose "
            "counts are never printed: `null` unless both are at least 5.",
            "model": Indicators,
            "content": {
                "application/json": {"example": EXAMPLE},
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": "period,region_code,level,indicator,value,suppressed\r\n"
                    "2026-11,32,province,clients_registered.total,128,False\r\n",
                },
            },
        }
    },
)
async def indicators(
    user: Ministry,
    bus: Bus,
    period: Period,
    region: Annotated[
        str | None,
        Query(
            pattern=r"^\d{2}(\d{2})?$",
            description="a province (2 digits: its regencies) or a regency (4); none: provinces",
            examples=["32"],
        ),
    ] = None,
    accept: Annotated[str | None, Header()] = None,
) -> Indicators | Response:
    """Clients registered, referrals, conversion, median working days to an outcome, accounts
    opened by women and trainings completed, by area, for one month (in each area's own time
    zone). Also, by sex, the shares of accounts in the client's own name at their 30-day
    follow-up and in use at their 90-day one, of the follow-ups due in the month whose day has
    come (today in Jakarta). Never a person: no count from 1 to 4 is printed or can be worked
    out from the answer, JSON or CSV alike."""
    published = await bus.handle(MonthIndicators(period, region or ""))
    if accept and "text/csv" in accept:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_FIELDS)
        writer.writeheader()
        writer.writerows(queries.flatten(published))
        name = f"indicators-{period}-{region or 'ID'}.csv"
        return Response(
            out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return Indicators.model_validate(published)


@regional_router.get(
    "/my-region", responses={200: {"content": {"application/json": {"example": EXAMPLE}}}}
)
async def my_region(user: CaseWorker, bus: Bus, period: Period) -> Indicators:
    """The same aggregates for the caller's own area only (an officer's regency, a
    supervisor's province and its regencies), for the portal's dashboard, withheld by the
    same rules."""
    if user.region is None:  # who may call, as the role alias says it: no message is sent
        raise Problem(403, "Forbidden", "Your account has no region.")
    return Indicators.model_validate(await bus.handle(MonthIndicators(period, user.region)))
