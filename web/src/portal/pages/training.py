"""Training sessions as a trainer runs them: plan one, move or cancel it, enrol clients (by
NIK or from a client's page); an officer's own trainings, and a supervisor's view of her
officers' trainings. A session's scores and attendance are in `training_records`."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal.dependencies import PostDep, Visit, VisitDep, api, flash, full_page, page
from portal.forms import regencies
from portal.gateway import Answer
from portal.pages.training_forms import PLAN_FIELDS, plan_messages, session_schedule, typed
from portal.rendering import translator_for
from shared.calendar import zone_label

router = APIRouter()


async def _training_page(
    request: Request,
    officer: Visit,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    found, programmes = await asyncio.gather(
        api(request, officer, "GET", "/api/training/sessions"),
        api(request, officer, "GET", "/api/training/programmes"),
    )
    region = str(officer.user.get("region") or "")
    context: dict[str, Any] = {
        "sessions": found.items,
        "programmes": programmes.items,
        "regencies": regencies(officer),
        "zone": zone_label(region) if region else "",
        "values": values
        or {"start_time": "09:00", "capacity": "25", "trainer": officer.user.get("name") or ""},
        "errors": errors or {},
        "open_plan": bool(errors),
    }
    if status_code == 200:
        return await full_page(request, officer, "training.html", **context)
    return page(request, officer, "training.html", status_code, **context)


@router.get("/training", response_class=HTMLResponse)
async def sessions(request: Request, officer: VisitDep) -> HTMLResponse:
    return await _training_page(request, officer)


@router.post("/training")
async def plan(request: Request, officer: PostDep) -> Response:
    """Plan a session; what the API refuses is shown beside its field."""
    values = typed(await request.form(), PLAN_FIELDS)
    _ = translator_for(request)
    region = values["region_code"] or str(officer.user.get("region") or "")
    schedule, wrong = session_schedule(values, region)  # the zone follows the province
    capacity = values["capacity"]
    if not capacity.isdigit():
        wrong["capacity"] = "not a number"
    if wrong:
        return await _training_page(
            request, officer, values=values, errors=plan_messages(wrong, _), status_code=422
        )
    body = {
        "programme_code": values["programme_code"],
        "region_code": region,
        "trainer": values["trainer"],
        "capacity": int(capacity),
        "venue": values["venue"] or None,
        **schedule,
    }
    answer = await api(request, officer, "POST", "/api/training/sessions", json=body)
    if not answer.ok:
        errors = plan_messages(answer.errors, _) or {"programme_code": _("Please check this.")}
        return await _training_page(request, officer, values=values, errors=errors, status_code=422)
    await flash(request, officer, _("Session planned."))
    return RedirectResponse(f"/training/{answer.body['id']}", status_code=303)


@router.get("/training/officers", response_class=HTMLResponse)
async def officers_trainings(request: Request, officer: VisitDep) -> HTMLResponse:
    """A supervisor's view: every officer of her province, and the trainings each took."""
    records, staff = await asyncio.gather(
        api(request, officer, "GET", "/api/training/officers/trainings"),
        api(request, officer, "GET", "/api/client/staff"),
    )
    by_officer: dict[str, list[dict[str, Any]]] = {}
    for record in records.items:
        by_officer.setdefault(record["officer"], []).append(record)
    people = [(s, by_officer.pop(s["subject"], [])) for s in staff.items]
    return await full_page(
        request,
        officer,
        "officers_trainings.html",
        people=people,
        unlisted=sorted(by_officer.items()),
    )


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


async def load_session(request: Request, officer: Visit, session_id: str) -> dict[str, Any]:
    """A session with its participants' names, for this page and the records' pages."""
    found = await api(request, officer, "GET", f"/api/training/sessions/{session_id}")
    if not found.ok:  # not a session id at all (422): as good as not found
        raise HTTPException(status_code=404)
    session: dict[str, Any] = found.body
    await _names(request, officer, session["participants"])
    return session


def _local_schedule(session: dict[str, Any]) -> dict[str, str]:
    """The session's days and start as its form shows them (the office's own clock)."""
    starts = datetime.fromisoformat(session["starts_at_local"])
    return {
        "first_day": session["days"][0],
        "last_day": session["days"][-1],
        "start_time": starts.strftime("%H:%M"),
        "venue": session["venue"] or "",
    }


async def session_view(
    request: Request,
    officer: Visit,
    session_id: str,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    sheet: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The session's page, with a form's values, errors or an uploaded sheet's report."""
    session = await load_session(request, officer, session_id)
    context: dict[str, Any] = {
        "session": session,
        "values": values or _local_schedule(session),
        "errors": errors or {},
        "any_completed": any(p["completed"] for p in session["participants"]),
        "sheet": sheet,
    }
    if status_code == 200:
        return await full_page(request, officer, "session.html", **context)
    return page(request, officer, "session.html", status_code, **context)


@router.get("/training/{session_id}", response_class=HTMLResponse)
async def session_page(request: Request, officer: VisitDep, session_id: str) -> HTMLResponse:
    return await session_view(request, officer, session_id)


@router.post("/training/{session_id}/schedule")
async def reschedule(request: Request, officer: PostDep, session_id: str) -> Response:
    """Move the session to other days, hour or place; everyone enrolled or waiting is told."""
    values = typed(await request.form(), ("first_day", "last_day", "start_time", "venue"))
    _ = translator_for(request)
    session = await api(request, officer, "GET", f"/api/training/sessions/{session_id}")
    if not session.ok:
        raise HTTPException(status_code=404)
    if any(p["days_attended"] for p in session.body["participants"]):
        # the training service refuses it too: a session that has begun is not moved
        begun = {"first_day": _("Attendance was already recorded: plan a new session instead.")}
        return await session_view(
            request, officer, session_id, values=values, errors=begun, status_code=422
        )
    schedule, wrong = session_schedule(values, session.body["region_code"])
    answer: Answer | None = None
    if not wrong:
        answer = await api(
            request,
            officer,
            "PATCH",
            f"/api/training/sessions/{session_id}",
            json=schedule | {"venue": values["venue"] or None},
        )
        wrong = answer.errors if answer.status == 422 else {}
    if wrong:
        return await session_view(
            request,
            officer,
            session_id,
            values=values,
            errors=plan_messages(wrong, _),
            status_code=422,
        )
    assert answer is not None
    message = _("Session moved; the participants are told.") if answer.ok else cancelled_message(_)
    await flash(request, officer, message)
    return RedirectResponse(f"/training/{session_id}", status_code=303)


def cancelled_message(_: Any) -> str:
    """What the officer reads when the training service refuses a change (409)."""
    return str(_("The session was cancelled."))


@router.post("/training/{session_id}/cancel")
async def cancel(request: Request, officer: PostDep, session_id: str) -> Response:
    answer = await api(request, officer, "POST", f"/api/training/sessions/{session_id}/cancel")
    _ = translator_for(request)
    message = _("Session cancelled; the participants are told.")
    await flash(request, officer, message if answer.ok else cancelled_message(_))
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
