"""A training session's records: the whole session's test scores on one page, the attendance
of a day, the attendance sheet downloaded to fill offline and uploaded back, and the
certificates as one PDF."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from portal import sheet_reasons
from portal.dependencies import PostDep, VisitDep, api, flash, full_page, page, relay_file
from portal.pages.training import cancelled_message, load_session, session_view
from portal.rendering import translator_for

router = APIRouter()

MAX_ATTENDANCE_BYTES = 1024 * 1024  # the gateway's limit for a request body


@router.get("/training/{session_id}/scores", response_class=HTMLResponse)
async def scores_page(request: Request, officer: VisitDep, session_id: str) -> HTMLResponse:
    session = await load_session(request, officer, session_id)
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
        refused = (
            cancelled_message(_) if answer.status == 409 else _("The scores could not be saved.")
        )
        errors = errors or {"form": refused}
    if not errors:
        await flash(request, officer, _("No score was typed."))
        return RedirectResponse(f"/training/{session_id}/scores", status_code=303)
    session = await load_session(request, officer, session_id)
    return page(
        request, officer, "session_scores.html", 422, session=session, typed=typed, errors=errors
    )


@router.get("/training/{session_id}/attendance.csv")
async def attendance_sheet(request: Request, officer: VisitDep, session_id: str) -> Response:
    """The session's attendance sheet to fill in offline (a hall without signal): a row per
    enrolled participant and day, with what is recorded so far; uploaded back as it is."""
    session = await load_session(request, officer, session_id)
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
        return await session_view(request, officer, session_id, sheet=sheet, status_code=422)
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
        return await session_view(request, officer, session_id, sheet=sheet, status_code=422)
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
    return await session_view(request, officer, session_id, sheet=sheet)


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
