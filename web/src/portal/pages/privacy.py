"""A client's rights over their data, as the officer handles them (docs/privacy.md): write a
request down, give the client everything kept of them (JSON or a PDF to print), restrict
processing, erase. Supervisors see the requests of their province that run late."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal.dependencies import PostDep, VisitDep, api, flash, full_page, relay_file
from portal.rendering import translator_for
from shared.calendar import time_zone_of

router = APIRouter()

KINDS = ("access", "correction", "restriction", "lift_restriction", "erasure")


@router.get("/clients/{client_id}/data", response_class=HTMLResponse)
async def rights_page(request: Request, officer: VisitDep, client_id: str) -> HTMLResponse:
    client = await api(request, officer, "GET", f"/api/clients/{client_id}")
    requests = await api(request, officer, "GET", f"/api/clients/{client_id}/requests")
    return await full_page(
        request, officer, "client_data.html", client=client.body, requests=requests.items
    )


@router.post("/clients/{client_id}/data/requests")
async def record_request(request: Request, officer: PostDep, client_id: str) -> Response:
    form = await request.form()
    _ = translator_for(request)
    kind = str(form.get("kind") or "")
    if kind not in KINDS:
        raise HTTPException(status_code=400)
    body: dict[str, Any] = {"kind": kind}
    received = str(form.get("received_on") or "")
    if received:
        client = await api(request, officer, "GET", f"/api/clients/{client_id}")
        zone = ZoneInfo(time_zone_of(client.body["region_code"]))
        try:
            # A day written on paper: its start in the client's office, the earliest reading.
            day = datetime.fromisoformat(received).replace(tzinfo=zone)
        except ValueError:
            raise HTTPException(status_code=400) from None
        body["received_at"] = day.isoformat()
    answer = await api(request, officer, "POST", f"/api/clients/{client_id}/requests", json=body)
    await flash(
        request,
        officer,
        _("Request recorded.") if answer.ok else _("The request could not be recorded."),
    )
    return RedirectResponse(f"/clients/{client_id}/data", status_code=303)


@router.post("/clients/{client_id}/data/requests/{request_id}/answered")
async def answered(request: Request, officer: PostDep, client_id: str, request_id: str) -> Response:
    _ = translator_for(request)
    answer = await api(request, officer, "POST", f"/api/client/requests/{request_id}/answered")
    await flash(request, officer, _("Request answered.") if answer.ok else _("Already answered."))
    return RedirectResponse(f"/clients/{client_id}/data", status_code=303)


@router.post("/clients/{client_id}/data/restriction")
async def restriction(request: Request, officer: PostDep, client_id: str) -> Response:
    form = await request.form()
    _ = translator_for(request)
    restricted = form.get("restricted") == "true"
    answer = await api(
        request,
        officer,
        "PUT",
        f"/api/clients/{client_id}/restriction",
        json={"restricted": restricted, "request_id": str(form.get("request_id") or "") or None},
    )
    if not answer.ok:
        message = _("The change could not be saved.")
    elif restricted:
        message = _("Processing restricted: no referral and no message until it is lifted.")
    else:
        message = _("The restriction was lifted.")
    await flash(request, officer, message)
    return RedirectResponse(f"/clients/{client_id}/data", status_code=303)


@router.post("/clients/{client_id}/data/erasure")
async def erasure(request: Request, officer: PostDep, client_id: str) -> Response:
    form = await request.form()
    _ = translator_for(request)
    if form.get("confirm") != "HAPUS":
        await flash(request, officer, _("Type HAPUS to confirm the erasure."))
        return RedirectResponse(f"/clients/{client_id}/data", status_code=303)
    request_id = str(form.get("request_id") or "") or None
    answer = await api(
        request,
        officer,
        "POST",
        f"/api/clients/{client_id}/erasure",
        json={"request_id": request_id},
    )
    if not answer.ok:
        await flash(request, officer, _("The client could not be erased."))
        return RedirectResponse(f"/clients/{client_id}/data", status_code=303)
    await flash(request, officer, _("The client was erased from Jembatan."))
    return RedirectResponse("/", status_code=303)


@router.get("/clients/{client_id}/data/export.{kind}")
async def export(request: Request, officer: VisitDep, client_id: str, kind: str) -> Response:
    """The client's data as the API answers it, handed to the officer's browser as a file."""
    if kind not in ("json", "pdf"):
        raise HTTPException(status_code=404)
    return await relay_file(
        request, officer, f"/api/clients/{client_id}/export", params={"format": kind}
    )
