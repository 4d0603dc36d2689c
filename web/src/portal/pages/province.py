"""A supervisor's province at a glance: registrations and trainings completed by regency,
referrals, conversion and SLA breaches by partner, for one month. Each figure is drawn as an
SVG chart with its table beside it, and withheld as the ministry's figures are (a count from
1 to 4 has no bar and reads "withheld")."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from portal import charts
from portal.dependencies import VisitDep, api, full_page
from portal.forms import regencies
from portal.i18n import Formats
from portal.rendering import language_of

router = APIRouter()
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _by_area(
    published: dict[str, Any], names: dict[str, str], *paths: tuple[str, str]
) -> list[charts.Row]:
    """A row per regency of the answer: the cells at `paths` ((section, cell) each)."""
    rows = []
    for area in published.get("areas") or []:
        values = tuple((area.get(section) or {}).get(cell) for section, cell in paths)
        rows.append(charts.Row(names.get(area["region_code"], area["region_code"]), values))
    return rows


def _conversion(partner: dict[str, Any], formats: Formats) -> str | None:
    """The share as a percentage; "-" when nothing was sent; None (withheld) otherwise."""
    if partner["sent"] == 0:
        return "-"
    return None if partner["conversion"] is None else formats.percent(partner["conversion"])


@router.get("/province", response_class=HTMLResponse)
async def province(request: Request, officer: VisitDep, period: str = "") -> HTMLResponse:
    if "supervisor" not in officer.user.get("roles", []):
        raise HTTPException(status_code=403)
    formats = Formats(language_of(request), officer.user.get("region"))
    if not _PERIOD.match(period):
        period = datetime.now(formats.zone).strftime("%Y-%m")
    published, summary = await asyncio.gather(
        api(request, officer, "GET", "/api/indicators/my-region", params={"period": period}),
        api(request, officer, "GET", "/api/referrals/summary", params={"period": period}),
    )
    names = dict(regencies(officer))
    figures = published.body or {}
    partners = (summary.body or {}).get("partners", [])
    registered = _by_area(figures, names, ("clients_registered", "total"))
    trainings = _by_area(figures, names, ("trainings", "completed"))
    referred = [
        charts.Row(p["partner_name"], (p["sent"], p["completed"]), _conversion(p, formats))
        for p in partners
    ]
    breaches = [charts.Row(p["partner_name"], (p["sla_breaches"],)) for p in partners]
    return await full_page(
        request,
        officer,
        "province.html",
        period=period,
        month=formats.month_long(period),
        registered=charts.hbars(registered),
        trainings=charts.hbars(trainings),
        referred=charts.hbars(referred),
        breaches=charts.hbars(breaches),
    )
