"""Training as a trainer runs it: plan a session, move or cancel it, enrol by NIK, mark each
day's attendance, type the whole session's test scores on one page, print its certificates;
an officer's own record, and a supervisor's view of her officers' trainings."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from portal import sheet_reasons
from portal.gateway import Answer
from portal.pages import (
    PostDep,
    Visit,
    VisitDep,
    api,
    flash,
    full_page,
    page,
    regencies,
    relay_file,
)
from portal.rendering import translator_for
from shared.calendar import time_zone_of, zone_label

router = APIRouter()

MAX_DAYS = 30  # as the training API takes them
MAX_ATTENDANCE_BYTES = 1024 * 1024  # the gateway's limit for a request body
_PLAN_FIELDS = (
    "programme_code",
    "region_code",
    "first_day",
    "last_day",
    "start_time",
    "capacity",
    "venue",
    "trainer",
)
# What the training API names, and the field of the form it belongs to.
_FORM_FIELD = {"days": "first_day", "starts_at": "start_time", "online_link": "venue"}


def _plan_messages(errors: dict[str, str], _: Any) -> dict[str, str]:
    known = {
        "programme_code": _("Choose a programme."),
        "region_code": _("Choose a regency or city of your province."),
        "first_day": _("Choose the first day."),
        "last_day": _("The last day comes on or after the first, at most 30 days later."),
        "start_time": _("Choose the starting time, e.g. 09:00."),
        "capacity": _("Please write a whole number from 1 to 1000."),
        "venue": _("A session needs a place."),
        "trainer": _("Please write the trainer's name."),
    }
    named = {_FORM_FIELD.get(field, field) for field in errors}
    return {name: known.get(name, _("Please check this.")) for name in named}


def session_schedule(
    values: dict[str, str], region_code: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """Days and start, in the office's own time zone, as the API takes them; or what is wrong.

    A session runs on consecutive days from the first to the last, starting at the same hour.
    """
    wrong: dict[str, str] = {}
    try:
        first = date.fromisoformat(values["first_day"])
    except ValueError:
        first = None
        wrong["first_day"] = "not a day"
    try:
        last = date.fromisoformat(values["last_day"]) if values["last_day"] else first
    except ValueError:
        last = None
        wrong["last_day"] = "not a day"
    if first and last and not 0 <= (last - first).days < MAX_DAYS:
        wrong["last_day"] = "out of range"
    try:
        starts = time.fromisoformat(values["start_time"])
    except ValueError:
        wrong["start_time"] = "not a time"
    if wrong or first is None or last is None:
        return {}, wrong
    zone = ZoneInfo(time_zone_of(region_code))
    return {
        "days": [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)],
        "starts_at": datetime.combine(first, starts, zone).isoformat(),
    }, {}


def _typed(form: Any, names: tuple[str, ...]) -> dict[str, str]:
    return {name: str(form.get(name) or "").strip() for name in names}


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
    values = _typed(await request.form(), _PLAN_FIELDS)
    _ = translator_for(request)
    region = values["region_code"] or str(officer.user.get("region") or "")
    schedule, wrong = session_schedule(values, region)  # the zone follows the province
    capacity = values["capacity"]
    if not capacity.isdigit():
        wrong["capacity"] = "not a number"
    if wrong:
        return await _training_page(
            request, officer, values=values, errors=_plan_messages(wrong, _), status_code=422
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
        errors = _plan_messages(answer.errors, _) or {"programme_code": _("Please check this.")}
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


async def _session(request: Request, officer: Visit, session_id: str) -> dict[str, Any]:
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


async def _session_page(
    request: Request,
    officer: Visit,
    session_id: str,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    sheet: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    session = await _session(request, officer, session_id)
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
    return await _session_page(request, officer, session_id)


@router.post("/training/{session_id}/schedule")
async def reschedule(request: Request, officer: PostDep, session_id: str) -> Response:
    """Move the session to other days, hour or place; everyone enrolled or waiting is told."""
    values = _typed(await request.form(), ("first_day", "last_day", "start_time", "venue"))
    _ = translator_for(request)
    session = await api(request, officer, "GET", f"/api/training/sessions/{session_id}")
    if not session.ok:
        raise HTTPException(status_code=404)
    if any(p["days_attended"] for p in session.body["participants"]):
        # the training service refuses it too: a session that has begun is not moved
        begun = {"first_day": _("Attendance was already recorded: plan a new session instead.")}
        return await _session_page(
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
        return await _session_page(
            request,
            officer,
            session_id,
            values=values,
            errors=_plan_messages(wrong, _),
            status_code=422,
        )
    assert answer is not None
    message = _("Session moved; the participants are told.") if answer.ok else _conflict(_)
    await flash(request, officer, message)
    return RedirectResponse(f"/training/{session_id}", status_code=303)


def _conflict(_: Any) -> str:
    return str(_("The session was cancelled."))


@router.post("/training/{session_id}/cancel")
async def cancel(request: Request, officer: PostDep, session_id: str) -> Response:
    answer = await api(request, officer, "POST", f"/api/training/sessions/{session_id}/cancel")
    _ = translator_for(request)
    message = _("Session cancelled; the participants are told.")
    await flash(request, officer, message if answer.ok else _conflict(_))
    return RedirectResponse(f"/training/{session_id}", status_code=303)


@router.get("/training/{session_id}/scores", response_class=HTMLResponse)
async def scores_page(request: Request, officer: VisitDep, session_id: str) -> HTMLResponse:
    session = await _session(request, officer, session_id)
    typed = {
        p["participant"]: {
            "pre": "" if p["pre_score"] is None else str(p["pre_score"]),
            "post": "" if p["post_score"] is None else str(p["post_score"]),
        }
        for p in session["participants"]
    }
    return await full_page(
        request, officer, "session_scores.html", session=session, typed=typed, errors={}
    )


def _score(typed: str) -> int | None:
    """A score as typed: a whole number from 0 to 100, or nothing (keep what was recorded)."""
    if not typed:
        return None
    if typed.isdigit() and int(typed) <= 100:
        return int(typed)
    raise ValueError(typed)


@router.post("/training/{session_id}/scores")
async def record_scores(request: Request, officer: PostDep, session_id: str) -> Response:
    """The whole session's scores in one step: every line recorded, or (one wrong) none."""
    form = await request.form()
    _ = translator_for(request)
    typed = {
        str(who): {part: str(form.get(f"{part}:{who}") or "").strip() for part in ("pre", "post")}
        for who in form.getlist("participant")
    }
    lines: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    for who, parts in typed.items():
        line: dict[str, Any] = {"participant": who}
        for part, value in parts.items():
            try:
                line[f"{part}_score"] = _score(value)
            except ValueError:
                errors[f"{part}:{who}"] = _("A score is a whole number from 0 to 100.")
        if line.get("pre_score") is not None or line.get("post_score") is not None:
            lines.append(line)
    if not errors and lines:
        answer = await api(
            request,
            officer,
            "PUT",
            f"/api/training/sessions/{session_id}/scores",
            json={"scores": lines},
        )
        for field in answer.errors:  # scores.N.pre_score, scores.N.post_score, …participant
            at, _dot, name = field.removeprefix("scores.").partition(".")
            if at.isdigit() and int(at) < len(lines):
                part = "post" if name == "post_score" else "pre"
                errors[f"{part}:{lines[int(at)]['participant']}"] = _("Please check this.")
        if answer.ok:
            await flash(request, officer, _("Scores saved."))
            return RedirectResponse(f"/training/{session_id}", status_code=303)
        refused = _conflict(_) if answer.status == 409 else _("The scores could not be saved.")
        errors = errors or {"form": refused}
    if not errors:
        await flash(request, officer, _("No score was typed."))
        return RedirectResponse(f"/training/{session_id}/scores", status_code=303)
    session = await _session(request, officer, session_id)
    return page(
        request, officer, "session_scores.html", 422, session=session, typed=typed, errors=errors
    )


@router.get("/training/{session_id}/attendance.csv")
async def attendance_sheet(request: Request, officer: VisitDep, session_id: str) -> Response:
    """The session's attendance sheet to fill in offline (a hall without signal): a row per
    enrolled participant and day, with what is recorded so far; uploaded back as it is."""
    session = await _session(request, officer, session_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["peserta", "nama", "tanggal", "hadir", "nilai pre", "nilai post"])
    for p in session["participants"]:
        if p["status"] != "enrolled":
            continue
        for day in session["days"]:
            writer.writerow(
                [
                    p["participant"].removeprefix("client:"),
                    p.get("name") or "",
                    day,
                    "ya" if day in p["days_attended"] else "tidak",
                    "" if p["pre_score"] is None else p["pre_score"],
                    "" if p["post_score"] is None else p["post_score"],
                ]
            )
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="kehadiran-{session_id}.csv"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/training/{session_id}/attendance/sheet")
async def upload_attendance(request: Request, officer: PostDep, session_id: str) -> Response:
    """Apply a filled attendance sheet: the good rows at once, the others listed with why."""
    _ = translator_for(request)
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        sheet: dict[str, Any] = {"error": _("Choose a .csv or .xlsx file.")}
        return await _session_page(request, officer, session_id, sheet=sheet, status_code=422)
    content = await upload.read(MAX_ATTENDANCE_BYTES + 1)
    answer = None
    if len(content) <= MAX_ATTENDANCE_BYTES:
        answer = await api(
            request,
            officer,
            "POST",
            f"/api/training/sessions/{session_id}/attendance/imports",
            files={"file": (upload.filename, content)},
        )
    if answer is None or not answer.ok:
        why = answer.errors.get("file", "") if answer is not None else "larger than 1 MB"
        why = sheet_reasons.unreadable(why, _)
        sheet = {"error": _("The sheet could not be read: {why}", why=why)}
        return await _session_page(request, officer, session_id, sheet=sheet, status_code=422)
    report = answer.body
    sheet = report | {
        "reasons": [
            {
                "row": r["row"],
                "column": sheet_reasons.column(r["field"]),
                "reason": sheet_reasons.attendance_reason(r["field"], r["message"], _),
            }
            for r in report["rejected"]
        ]
    }
    return await _session_page(request, officer, session_id, sheet=sheet)


@router.get("/training/{session_id}/certificates.pdf")
async def certificates(request: Request, officer: VisitDep, session_id: str) -> Response:
    """Every certificate of the session, a page each, to print."""
    return await relay_file(
        request, officer, f"/api/training/sessions/{session_id}/certificates/pdf"
    )


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
