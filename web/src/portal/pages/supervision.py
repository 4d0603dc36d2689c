"""Supervisors' pages: who read which record of the province, and the possible duplicates to
merge or dismiss. The APIs refuse anyone else; the portal shows that refusal as a 403 page."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal.dependencies import PostDep, VisitDep, api, flash, full_page
from portal.rendering import plural_translator_for, translator_for

router = APIRouter()


@router.get("/supervision", response_class=HTMLResponse)
async def supervision(request: Request, officer: VisitDep) -> HTMLResponse:
    audit, flags, late = await asyncio.gather(
        api(request, officer, "GET", "/api/client/audit", params={"limit": 50}),
        api(request, officer, "GET", "/api/client/duplicates", params={"limit": 50}),
        api(request, officer, "GET", "/api/client/requests", params={"late": "true"}),
    )
    return await full_page(
        request,
        officer,
        "supervision.html",
        audit=audit.items,
        flags=flags.items,
        late_requests=late.items,
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


@router.get("/supervision/cases", response_class=HTMLResponse)
async def cases(request: Request, officer: VisitDep, officer_id: str = "") -> HTMLResponse:
    """Choose a colleague, see their open cases, and give some or all to another colleague."""
    staff = await api(request, officer, "GET", "/api/client/staff")
    found: list[dict[str, Any]] = []
    if officer_id:
        listed = await api(
            request, officer, "GET", "/api/client/cases", params={"assigned_to": officer_id}
        )
        found = listed.items
    return await full_page(
        request,
        officer,
        "reassign.html",
        staff=staff.items,
        officer_id=officer_id,
        cases=found,
    )


@router.post("/supervision/cases/reassign")
async def reassign(request: Request, officer: PostDep) -> Response:
    form = await request.form()
    case_ids = [str(c) for c in form.getlist("case_ids")]
    target = str(form.get("assigned_to") or "")
    source = str(form.get("officer_id") or "")
    _ = translator_for(request)
    if not case_ids or not target:
        message = _("Choose the cases and the colleague to give them to.")
    else:
        answer = await api(
            request,
            officer,
            "POST",
            "/api/client/cases/reassign",
            json={"case_ids": case_ids, "assigned_to": target},
        )
        if answer.ok:
            ngettext = plural_translator_for(request)
            message = ngettext(
                "{n} case reassigned.", "{n} cases reassigned.", len(case_ids), n=len(case_ids)
            )
        else:
            message = _("The cases could not be reassigned.")
    await flash(request, officer, message)
    return RedirectResponse(f"/supervision/cases?officer_id={quote(source)}", status_code=303)
