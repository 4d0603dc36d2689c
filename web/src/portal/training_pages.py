"""Training pages: the region's sessions, a session's participants and their attendance, and
enrolling a client from the client's page."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal.pages import PostDep, Visit, VisitDep, api, flash, full_page
from portal.rendering import translator_for

router = APIRouter()


@router.get("/training", response_class=HTMLResponse)
async def sessions(request: Request, officer: VisitDep) -> HTMLResponse:
    found = await api(request, officer, "GET", "/api/training/sessions")
    return await full_page(request, officer, "training.html", sessions=found.items)


@router.get("/training/mine", response_class=HTMLResponse)
async def my_trainings(request: Request, officer: VisitDep) -> HTMLResponse:
    """ "Pelatihan saya": the officer's own capacity-building record, with certificates."""
    found = await api(request, officer, "GET", "/api/training/me/trainings")
    return await full_page(request, officer, "my_trainings.html", records=found.items)


async def _names(request: Request, officer: Visit, participants: list[dict[str, Any]]) -> None:
    """Each client participant's name, read (and audited) as the officer opens the list."""

    async def name_of(participant: dict[str, Any]) -> None:
        who = str(participant["participant"])
        if who.startswith("client:"):
            answer = await api(request, officer, "GET", f"/api/clients/{who[7:]}")
            participant["name"] = (answer.body or {}).get("full_name")

    await asyncio.gather(*(name_of(p) for p in participants))


@router.get("/training/{session_id}", response_class=HTMLResponse)
async def session_page(request: Request, officer: VisitDep, session_id: str) -> HTMLResponse:
    found = await api(request, officer, "GET", f"/api/training/sessions/{session_id}")
    session = found.body
    await _names(request, officer, session["participants"])
    return await full_page(request, officer, "session.html", session=session)


@router.post("/training/{session_id}/attendance")
async def mark(request: Request, officer: PostDep, session_id: str) -> Response:
    form = await request.form()
    body = {
        "participant": str(form.get("participant") or ""),
        "day": str(form.get("day") or ""),
        "present": form.get("present") == "true",
    }
    answer = await api(
        request, officer, "POST", f"/api/training/sessions/{session_id}/attendance", json=body
    )
    if not answer.ok:
        _ = translator_for(request)
        await flash(request, officer, _("The attendance could not be recorded."))
    return RedirectResponse(f"/training/{session_id}", status_code=303)


async def _enrol(request: Request, officer: Visit, session_id: str, client_id: str) -> str:
    """Enrol a client; the message for the officer."""
    answer = await api(
        request,
        officer,
        "POST",
        f"/api/training/sessions/{session_id}/enrolments",
        json={"participant": f"client:{client_id}"},
    )
    _ = translator_for(request)
    if not answer.ok:
        return _("The enrolment could not be recorded.")
    if (answer.body or {}).get("status") == "enrolled":
        return _("Enrolled.")
    return _("The session is full: on the waiting list.")


@router.post("/clients/{client_id}/trainings")
async def enrol_from_client(request: Request, officer: PostDep, client_id: str) -> Response:
    form = await request.form()
    session_id = str(form.get("session_id") or "")
    if not session_id:
        raise HTTPException(status_code=400)
    await flash(request, officer, await _enrol(request, officer, session_id, client_id))
    return RedirectResponse(f"/clients/{client_id}", status_code=303)


@router.post("/training/{session_id}/enrolments")
async def enrol_by_nik(request: Request, officer: PostDep, session_id: str) -> Response:
    """Enrol the client whose NIK the officer typed (as on a paper attendance list)."""
    form = await request.form()
    nik = "".join(ch for ch in str(form.get("nik") or "") if ch.isdigit())
    found = await api(request, officer, "GET", "/api/clients", params={"nik": nik})
    matches = found.items if found.ok else []
    if len(matches) == 1:
        message = await _enrol(request, officer, session_id, matches[0]["id"])
    else:
        message = translator_for(request)("No client found.")
    await flash(request, officer, message)
    return RedirectResponse(f"/training/{session_id}", status_code=303)
