"""Supervisors' pages: who read which record of the province, and the possible duplicates to
merge or dismiss. The APIs refuse anyone else; the portal shows that refusal as a 403 page."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal.pages import PostDep, VisitDep, api, flash, page, shown
from portal.rendering import translator_for

router = APIRouter()


@router.get("/supervision", response_class=HTMLResponse)
async def supervision(request: Request, officer: VisitDep) -> HTMLResponse:
    audit, flags = await asyncio.gather(
        api(request, officer, "GET", "/api/client/audit", params={"limit": 50}),
        api(request, officer, "GET", "/api/client/duplicates", params={"limit": 50}),
    )
    return await shown(
        request,
        officer,
        page(
            request,
            officer,
            "supervision.html",
            audit=(audit.body or {}).get("items", []),
            flags=(flags.body or {}).get("items", []),
        ),
    )


@router.post("/supervision/duplicates/{flag_id}/{decision}")
async def decide(request: Request, officer: PostDep, flag_id: str, decision: str) -> Response:
    if decision not in ("merge", "dismiss"):
        raise HTTPException(status_code=404)
    body: dict[str, str] | None = {} if decision == "merge" else None
    answer = await api(
        request, officer, "POST", f"/api/client/duplicates/{flag_id}/{decision}", json=body
    )
    _ = translator_for(request)
    if answer.ok:
        message = _("The records were merged.") if decision == "merge" else _("Flag dismissed.")
    else:
        message = _("This flag was already resolved.")
    await flash(request, officer, message)
    return RedirectResponse("/supervision", status_code=303)
