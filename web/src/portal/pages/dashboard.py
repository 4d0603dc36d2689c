"""The first page after login: an officer's caseload, follow-ups, waiting and escalated
referrals, and the region's last six months; a partner's staff and an administrator are sent
on to their own first page."""

from __future__ import annotations

import asyncio
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal import charts
from portal.dependencies import VisitDep, api, full_page
from portal.i18n import Formats
from portal.rendering import language_of

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
async def dashboard(request: Request, officer: VisitDep) -> Response:
    roles = set(officer.user.get("roles", []))
    if "partner" in roles and not roles & {"officer", "supervisor"}:
        return RedirectResponse("/inbox", status_code=303)  # a partner's staff: its inbox
    if "admin" in roles and not roles & {"officer", "supervisor"}:
        # An administrator has no caseload; their page here is the data incidents'.
        return RedirectResponse("/breaches", status_code=303)
    formats = Formats(language_of(request), officer.user.get("region"))
    periods = charts.last_months(datetime.now(formats.zone).date())
    caseload, tasks, waiting, escalated, *monthly = await asyncio.gather(
        api(
            request, officer, "GET", "/api/client/cases", params={"assigned_to": "me", "limit": 500}
        ),
        api(request, officer, "GET", "/api/client/tasks"),
        api(request, officer, "GET", "/api/referrals", params={"status": "sent"}),
        api(request, officer, "GET", "/api/referrals", params={"status": "escalated"}),
        *(
            api(
                request,
                officer,
                "GET",
                "/api/indicators/my-region",
                params={"period": p},
                missing_ok=True,
            )
            for p in periods
        ),
    )
    months = [
        charts.month_row(p, formats.month(p), a.body if a.ok else None)
        for p, a in zip(periods, monthly, strict=True)
    ]
    return await full_page(
        request,
        officer,
        "dashboard.html",
        caseload=caseload.items,
        months=months,
        chart_bars=charts.bars(months),
        chart_width=charts.WIDTH,
        chart_height=charts.HEIGHT,
        tasks=tasks.items,
        waiting=waiting.items,
        escalated=escalated.items,
    )
