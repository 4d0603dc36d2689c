"""A client's cases as the officer works them: open one, write notes, plan follow-ups in
working days, complete each with what came of it (an account follow-up with the client's
answers, which the ministry counts), close and reopen."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal.dependencies import PostDep, Visit, VisitDep, api, flash, full_page, page
from portal.gateway import Answer
from portal.rendering import translator_for

router = APIRouter()

# The client's answers a follow-up may take (each task names those it asks: `asks`).
_ANSWERS = ("account_in_own_name", "account_in_use")
_STATUSES = ("open", "in_progress", "closed")


def _yes_no(value: object) -> bool | None:
    return {"yes": True, "no": False}.get(str(value or ""))


async def _case_page(
    request: Request,
    officer: Visit,
    client_id: str,
    case_id: str,
    *,
    errors: dict[str, dict[str, str]] | None = None,
    typed: dict[str, dict[str, str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    client, cases = await asyncio.gather(
        api(request, officer, "GET", f"/api/clients/{client_id}"),
        api(request, officer, "GET", f"/api/clients/{client_id}/cases"),
    )
    case = next((c for c in cases.items if c["id"] == case_id), None)
    if case is None:
        raise HTTPException(status_code=404)
    context = {
        "client": client.body,
        "case": case,
        "errors": errors or {},
        "typed": typed or {},
    }
    if status_code == 200:
        return await full_page(request, officer, "case.html", **context)
    # Shown again with what was refused; a one-time message waits for the next whole page.
    return page(request, officer, "case.html", status_code, **context)


@router.get("/clients/{client_id}/cases/{case_id}", response_class=HTMLResponse)
async def case_page(
    request: Request, officer: VisitDep, client_id: str, case_id: str
) -> HTMLResponse:
    return await _case_page(request, officer, client_id, case_id)


@router.post("/clients/{client_id}/cases")
async def open_case(request: Request, officer: PostDep, client_id: str) -> Response:
    form = await request.form()
    _ = translator_for(request)
    title = str(form.get("title") or "").strip()
    if not title:
        await flash(request, officer, _("A case needs a title."))
        return RedirectResponse(f"/clients/{client_id}#cases", status_code=303)
    answer = await api(
        request, officer, "POST", f"/api/clients/{client_id}/cases", json={"title": title}
    )
    if not answer.ok:
        await flash(request, officer, _("The case could not be opened."))
        return RedirectResponse(f"/clients/{client_id}#cases", status_code=303)
    await flash(request, officer, _("Case opened."))
    return RedirectResponse(f"/clients/{client_id}/cases/{answer.body['id']}", status_code=303)


@router.post("/clients/{client_id}/cases/{case_id}/status")
async def change_status(
    request: Request, officer: PostDep, client_id: str, case_id: str
) -> Response:
    form = await request.form()
    _ = translator_for(request)
    status = str(form.get("status") or "")
    if status not in _STATUSES:
        raise HTTPException(status_code=400)
    answer = await api(
        request,
        officer,
        "PATCH",
        f"/api/clients/{client_id}/cases/{case_id}",
        json={"status": status},
    )
    done = {
        "open": _("Case reopened."),
        "in_progress": _("Case in progress."),
        "closed": _("Case closed."),
    }
    await flash(
        request, officer, done[status] if answer.ok else _("The case could not be changed.")
    )
    return RedirectResponse(f"/clients/{client_id}/cases/{case_id}", status_code=303)


@router.post("/clients/{client_id}/cases/{case_id}/notes")
async def add_note(request: Request, officer: PostDep, client_id: str, case_id: str) -> Response:
    form = await request.form()
    _ = translator_for(request)
    body = str(form.get("body") or "").strip()
    if not body:
        return await _case_page(
            request,
            officer,
            client_id,
            case_id,
            errors={"note": {"body": _("Please fill this in.")}},
            status_code=422,
        )
    answer = await api(
        request,
        officer,
        "POST",
        f"/api/clients/{client_id}/cases/{case_id}/notes",
        json={"body": body},
    )
    if not answer.ok:
        return await _case_page(
            request,
            officer,
            client_id,
            case_id,
            errors={"note": {"body": _("The note is too long.")}},
            typed={"note": {"body": body}},
            status_code=422,
        )
    await flash(request, officer, _("Note added."))
    return RedirectResponse(f"/clients/{client_id}/cases/{case_id}#notes", status_code=303)


@router.post("/clients/{client_id}/cases/{case_id}/tasks")
async def add_task(request: Request, officer: PostDep, client_id: str, case_id: str) -> Response:
    form = await request.form()
    _ = translator_for(request)
    typed = {"title": str(form.get("title") or "").strip(), "days": str(form.get("days") or "")}
    errors: dict[str, str] = {}
    if not typed["title"]:
        errors["title"] = _("Please fill this in.")
    if not typed["days"].isdigit() or not 0 <= int(typed["days"]) <= 260:
        errors["days"] = _("A number of working days from 0 to 260.")
    if not errors:
        answer = await api(
            request,
            officer,
            "POST",
            f"/api/clients/{client_id}/cases/{case_id}/tasks",
            json={"title": typed["title"], "due_in_working_days": int(typed["days"])},
        )
        if answer.ok:
            await flash(request, officer, _("Follow-up planned."))
            return RedirectResponse(f"/clients/{client_id}/cases/{case_id}#tasks", status_code=303)
        errors = {"title": _("Please check this.")}
    return await _case_page(
        request,
        officer,
        client_id,
        case_id,
        errors={"task": errors},
        typed={"task": typed},
        status_code=422,
    )


@router.post("/clients/{client_id}/cases/{case_id}/tasks/{task_id}/completion")
async def complete_task(
    request: Request, officer: PostDep, client_id: str, case_id: str, task_id: str
) -> Response:
    form = await request.form()
    _ = translator_for(request)
    outcome = str(form.get("outcome") or "").strip()
    body: dict[str, Any] = {"outcome": outcome}
    for name in _ANSWERS:
        if (value := _yes_no(form.get(name))) is not None:
            body[name] = value
    errors: dict[str, str] = {} if outcome else {"outcome": _("Please fill this in.")}
    if not errors:
        answer = await api(
            request,
            officer,
            "POST",
            f"/api/clients/{client_id}/cases/{case_id}/tasks/{task_id}/completion",
            json=body,
        )
        if answer.ok:
            await flash(request, officer, _("Follow-up completed."))
            return RedirectResponse(f"/clients/{client_id}/cases/{case_id}#tasks", status_code=303)
        errors = _completion_refusal(answer, _)
    typed = {"outcome": outcome} | {
        k: "yes" if v else "no" for k, v in body.items() if isinstance(v, bool)
    }
    return await _case_page(
        request,
        officer,
        client_id,
        case_id,
        errors={task_id: errors},
        typed={task_id: typed},
        status_code=422,
    )


def _completion_refusal(answer: Answer, _: Any) -> dict[str, str]:
    if answer.status == 409:
        return {"outcome": _("This follow-up is already done, or its case is closed.")}
    named = {field.split(".")[-1] for field in answer.errors}
    messages = {name: _("Please answer this question.") for name in named if name in _ANSWERS}
    if "outcome" in named:
        messages["outcome"] = _("Please describe the outcome in at most 2,000 characters.")
    return messages or {"outcome": _("The follow-up could not be completed.")}
