"""Finding a client and the client's page: facts, consents, referrals, messages, trainings,
cases and timeline, each from the service that owns it, asked at once. Consents are recorded
and withdrawn here."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal import consent_texts
from portal.dependencies import PostDep, VisitDep, api, flash, full_page, page
from portal.pages.referrals import referable
from portal.rendering import translator_for

router = APIRouter()

CONSENT_SCOPES = ("contact", "identity", "business")


@router.get("/clients", response_class=HTMLResponse)
async def search(
    request: Request,
    officer: VisitDep,
    q: str = "",
    nik_: Annotated[str, Query(alias="nik")] = "",
    phone: str = "",
) -> HTMLResponse:
    query = {"q": q.strip() or None, "nik": nik_.strip() or None, "phone": phone.strip() or None}
    found: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    if any(query.values()):
        answer = await api(request, officer, "GET", "/api/clients", params=query)
        found = answer.items if answer.ok else []
        errors = answer.errors
    return await full_page(
        request,
        officer,
        "clients.html",
        found=found,
        query=query,
        searched=any(query.values()),
        errors=errors,
    )


@router.get("/clients/{client_id}", response_class=HTMLResponse)
async def client_page(request: Request, officer: VisitDep, client_id: str) -> HTMLResponse:
    client = await api(request, officer, "GET", f"/api/clients/{client_id}")  # 404 first
    by_client = {"client_id": client_id}
    (
        consents,
        timeline,
        referrals,
        messages,
        trainings,
        sessions,
        catalogue,
        cases,
    ) = await asyncio.gather(
        api(request, officer, "GET", f"/api/clients/{client_id}/consents"),
        api(request, officer, "GET", f"/api/clients/{client_id}/timeline"),
        api(request, officer, "GET", "/api/referrals", params=by_client),
        api(request, officer, "GET", "/api/notifications", params=by_client),
        api(
            request,
            officer,
            "GET",
            f"/api/training/clients/{client_id}/trainings",
            missing_ok=True,
        ),
        api(request, officer, "GET", "/api/training/sessions"),
        api(request, officer, "GET", "/api/partners"),
        api(request, officer, "GET", f"/api/clients/{client_id}/cases"),
    )
    return await full_page(
        request,
        officer,
        "client.html",
        client=client.body,
        consents=consents.items,
        timeline=timeline.items,
        referrals=referrals.items,
        messages=messages.items,
        trainings=trainings.items,
        sessions=[s for s in sessions.items if not s["cancelled"]],
        partners=referable(catalogue),
        texts=consent_texts.CURRENT,
        cases=cases.items,
    )


@router.get("/clients/{client_id}/timeline", response_class=HTMLResponse)
async def timeline_part(request: Request, officer: VisitDep, client_id: str) -> HTMLResponse:
    """The timeline alone, for the page to refresh it in place."""
    timeline = await api(request, officer, "GET", f"/api/clients/{client_id}/timeline")
    return page(request, officer, "_timeline.html", timeline=timeline.items)


@router.post("/clients/{client_id}/consents")
async def record_consent(request: Request, officer: PostDep, client_id: str) -> Response:
    form = await request.form()
    purpose = str(form.get("purpose") or "")
    text = consent_texts.CURRENT.get(purpose)
    _ = translator_for(request)
    if text is None:
        raise HTTPException(status_code=400)
    body: dict[str, Any] = {"purpose": purpose, "text_version": text.version}
    if purpose == "referral":
        body |= {
            "partner_code": str(form.get("partner_code") or ""),
            "scope": [str(s) for s in form.getlist("scope") if s in CONSENT_SCOPES],
        }
    if purpose == "notifications":
        body["channels"] = [str(c) for c in form.getlist("channels")]
    answer = await api(request, officer, "POST", f"/api/clients/{client_id}/consents", json=body)
    await flash(
        request,
        officer,
        _("Consent recorded.") if answer.ok else _("The consent could not be recorded."),
    )
    return RedirectResponse(f"/clients/{client_id}", status_code=303)


@router.post("/clients/{client_id}/consents/{consent_id}/withdraw")
async def withdraw_consent(
    request: Request, officer: PostDep, client_id: str, consent_id: str
) -> Response:
    _ = translator_for(request)
    answer = await api(
        request, officer, "DELETE", f"/api/clients/{client_id}/consents/{consent_id}"
    )
    if not answer.ok:
        message = _("This consent is already withdrawn.")
    elif answer.body.get("purpose") == "referral":
        message = _(
            "Consent withdrawn. Open referrals to {partner} are withdrawn, and the partner "
            "must erase the client's data within 72 hours.",
            partner=answer.body.get("partner_code") or "",
        )
    else:
        message = _("Consent withdrawn.")
    await flash(request, officer, message)
    return RedirectResponse(f"/clients/{client_id}#consents", status_code=303)
