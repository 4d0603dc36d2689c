"""The administrators' pages of personal-data breaches (UU 27/2022 Pasal 46): the list with
each deadline, a form to record one, and a breach's page to tell the people and the
authority. Supervisors may read their province's; the API refuses anyone else (a 403 page).

Times are typed and shown in the administrator's office zone (Jakarta time for an account
without a region), and sent to the API with their offset.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal.dependencies import LoginRequired, PostDep, Visit, VisitDep, api, flash, full_page, page
from portal.gateway import Answer
from portal.i18n import Formats
from portal.rendering import language_of, plural_translator_for, translator_for

router = APIRouter()

_TEXTS = ("category", "found_at", "period_from", "period_to", "regions", "description", "handling")
_CHOICES = ("data_kinds", "systems")
_TIMES = ("found_at", "period_from", "period_to")


def _zone(request: Request, officer: Visit) -> Formats:
    return Formats(language_of(request), officer.user.get("region"))


def _moment(value: str, formats: Formats) -> str | None:
    """A `datetime-local` value, read in the office's zone, as RFC 3339; None if unreadable."""
    try:
        typed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return typed.replace(tzinfo=typed.tzinfo or formats.zone).isoformat()


def _api_field(name: str) -> str:
    """The form field of a field the API names ("period.to" → "period_to", "regions.0")."""
    if name.startswith("period."):
        return name.replace(".", "_", 1)
    return name.split(".")[0]


def _refusals(answer: Answer, _: Any) -> dict[str, str]:
    """The API's refusals, in the administrator's words: one message per field it named."""
    known = {
        "description": _("No NIK or phone number here: the record holds nothing personal."),
        "handling": _("At most 120 characters, and no NIK or phone number."),
        "regions": _("Province or regency codes, e.g. 32 or 3273, separated by commas."),
        "found_at": _("Not in the future, and not before the period began."),
        "period_to": _("After the start, and not in the future."),
        "period_from": _("Please check this time."),
        "data_kinds": _("Choose at least one."),
        "systems": _("Choose at least one."),
        "category": _("Choose what happened."),
    }
    named = {_api_field(field) for field in answer.errors}
    messages = {name: known.get(name, _("Please check this.")) for name in named}
    return messages or {"form": _("The incident could not be recorded. Please check the form.")}


async def _list(
    request: Request,
    officer: Visit,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    listed = await api(request, officer, "GET", "/api/client/breaches", params={"limit": 100})
    return await full_page(
        request,
        officer,
        "breaches.html",
        status_code,
        breaches=listed.items,
        values=values,
        errors=errors,
    )


@router.get("/breaches", response_class=HTMLResponse)
async def breaches(request: Request, officer: VisitDep) -> HTMLResponse:
    return await _list(request, officer, {"data_kinds": [], "systems": []}, {})


@router.post("/breaches", response_class=HTMLResponse)
async def record(request: Request, officer: PostDep) -> Response:
    form = await request.form()
    _ = translator_for(request)
    values: dict[str, Any] = {name: str(form.get(name) or "").strip() for name in _TEXTS}
    values |= {name: [str(v) for v in form.getlist(name)] for name in _CHOICES}
    errors = {
        name: _("Please fill this in.")
        for name in (*_TEXTS, *_CHOICES)
        if not values[name] and name != "category"
    }
    if not values["category"]:
        errors["category"] = _("Choose what happened.")
    formats = _zone(request, officer)
    moments = {name: _moment(values[name], formats) for name in _TIMES if values[name]}
    errors |= {name: _("Please check this time.") for name, at in moments.items() if at is None}
    if not errors:
        body = {
            "category": values["category"],
            "description": values["description"],
            "handling": values["handling"],
            "data_kinds": values["data_kinds"],
            "systems": values["systems"],
            "found_at": moments["found_at"],
            "period": {"from": moments["period_from"], "to": moments["period_to"]},
            "regions": [code for code in re.split(r"[\s,;]+", values["regions"]) if code],
        }
        answer = await api(request, officer, "POST", "/api/client/breaches", json=body)
        if answer.ok:
            recorded = _("Incident recorded. The deadline runs from when it was found.")
            await flash(request, officer, recorded)
            return RedirectResponse(f"/breaches/{answer.body['id']}", status_code=303)
        errors = _refusals(answer, _)
    return await _list(request, officer, values, errors, status_code=422)


@router.get("/breaches/{breach_id}", response_class=HTMLResponse)
async def breach_page(request: Request, officer: VisitDep, breach_id: str) -> HTMLResponse:
    breach = await api(request, officer, "GET", f"/api/client/breaches/{breach_id}")
    return await full_page(request, officer, "breach.html", breach=breach.body, errors={})


@router.post("/breaches/{breach_id}/notify-people")
async def notify_people(request: Request, officer: PostDep, breach_id: str) -> Response:
    answer = await api(request, officer, "POST", f"/api/client/breaches/{breach_id}/notify-people")
    _ = translator_for(request)
    if answer.ok:
        told = answer.body["people_told"]
        ngettext = plural_translator_for(request)
        message = ngettext(
            "Notices approved: {n} person will be told.",
            "Notices approved: {n} people will be told.",
            told,
            n=told,
        )
    else:
        message = _("The people were already told of this incident.")
    await flash(request, officer, message)
    return RedirectResponse(f"/breaches/{breach_id}", status_code=303)


@router.get("/breaches/{breach_id}/authority-notice")
async def authority_notice(request: Request, officer: VisitDep, breach_id: str) -> Response:
    """The draft letter, downloaded through the portal with the administrator's token."""
    gateway = request.app.state.portal.gateway
    path = f"/api/client/breaches/{breach_id}/authority-notice"
    found = await gateway.download(officer.token, path)
    status, content = found.status_code, found.content
    content_type = found.headers.get("content-type", "")
    if status == 401:
        raise LoginRequired(f"/breaches/{breach_id}")
    if status != 200:
        raise HTTPException(status_code=status if status in (403, 404) else 502)
    return Response(
        content,
        media_type=content_type or "text/plain; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="pemberitahuan-insiden-{breach_id}.txt"'
        },
    )


@router.post("/breaches/{breach_id}/authority-notified", response_class=HTMLResponse)
async def authority_notified(request: Request, officer: PostDep, breach_id: str) -> Response:
    form = await request.form()
    _ = translator_for(request)
    typed = str(form.get("notified_at") or "").strip()
    at = _moment(typed, _zone(request, officer)) if typed else None
    if typed and at is None:
        errors = {"notified_at": _("Please check this time.")}
    else:
        answer = await api(
            request,
            officer,
            "POST",
            f"/api/client/breaches/{breach_id}/authority-notified",
            json={"notified_at": at} if at else {},
        )
        if answer.ok:
            await flash(request, officer, _("Recorded: the authority was told."))
            return RedirectResponse(f"/breaches/{breach_id}", status_code=303)
        if answer.status == 409:
            await flash(request, officer, _("The authority's notice was already recorded."))
            return RedirectResponse(f"/breaches/{breach_id}", status_code=303)
        errors = {"notified_at": _("Not in the future, and not before the incident was found.")}
    breach = await api(request, officer, "GET", f"/api/client/breaches/{breach_id}")
    return page(request, officer, "breach.html", 422, breach=breach.body, errors=errors)
