"""Referring a client to a partner, and withdrawing a referral; the partner catalogue as
officers read it (licences, fee sheets)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal.dependencies import PostDep, Visit, VisitDep, api, flash, full_page, page
from portal.gateway import Answer
from portal.i18n import Formats
from portal.rendering import language_of, translator_for

router = APIRouter()


@router.post("/clients/{client_id}/referrals/{referral_id}/withdraw")
async def withdraw_referral(
    request: Request, officer: PostDep, client_id: str, referral_id: str
) -> Response:
    _ = translator_for(request)
    answer = await api(request, officer, "POST", f"/api/referrals/{referral_id}/withdraw")
    if answer.ok and answer.body.get("erase_by"):
        formats = Formats(language_of(request), officer.user.get("region"))
        message = _(
            "Referral withdrawn. The partner must erase the client's data by {when}.",
            when=formats.datetime(answer.body["erase_by"]),
        )
    else:
        message = _("The referral can no longer be withdrawn.")
    await flash(request, officer, message)
    return RedirectResponse(f"/clients/{client_id}#referrals", status_code=303)


@router.get("/partners", response_class=HTMLResponse)
async def partners(request: Request, officer: VisitDep) -> HTMLResponse:
    """The partner catalogue: licences (and whether referrals may go) and fee sheets."""
    found = await api(request, officer, "GET", "/api/partners")
    return await full_page(request, officer, "partners.html", partners=found.items)


def referable(catalogue: Answer) -> list[dict[str, Any]]:
    """The partners a client may be referred to: set up, with an active licence."""
    return [
        p
        for p in catalogue.items
        if p["licence_status"] == "active" and p.get("status", "active") == "active"
    ]


async def _referral_page(
    request: Request,
    officer: Visit,
    client_id: str,
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    client, catalogue = await asyncio.gather(
        api(request, officer, "GET", f"/api/clients/{client_id}"),
        api(request, officer, "GET", "/api/partners"),
    )
    return page(
        request,
        officer,
        "refer.html",
        status_code,
        client=client.body,
        partners=referable(catalogue),
        errors=errors,
    )


@router.get("/clients/{client_id}/referrals/new", response_class=HTMLResponse)
async def referral_form(request: Request, officer: VisitDep, client_id: str) -> HTMLResponse:
    return await _referral_page(request, officer, client_id, {})


@router.post("/clients/{client_id}/referrals/new", response_class=HTMLResponse)
async def refer(request: Request, officer: PostDep, client_id: str) -> Response:
    form = await request.form()
    _ = translator_for(request)
    choice = str(form.get("product") or "")
    partner_code, _sep, product_code = choice.partition("/")
    shown = [str(p) for p in form.getlist("options_shown")]
    errors: dict[str, str] = {}
    if not product_code:
        errors["product"] = _("Choose a product.")
    if form.get("fee_sheet_seen") != "on":
        errors["fee_sheet_seen"] = _("The client must have seen the fee sheet.")
    if not errors:
        answer = await api(
            request,
            officer,
            "POST",
            "/api/referrals",
            json={
                "client_id": client_id,
                "partner_code": partner_code,
                "product_code": product_code,
                "fee_sheet_version": str(form.get(f"fee_sheet_version:{choice}") or ""),
                "options_shown": shown,
            },
        )
        if answer.ok:
            await flash(request, officer, _("Referral sent."))
            return RedirectResponse(f"/clients/{client_id}", status_code=303)
        errors = _referral_refusal(answer, _)
    return await _referral_page(request, officer, client_id, errors, status_code=422)


def _referral_refusal(answer: Answer, _: Any) -> dict[str, str]:
    slug = str((answer.body or {}).get("type", "")).rsplit("/", 1)[-1]
    if slug == "no-consent":
        return {"product": _("The client has not consented to a referral to this partner.")}
    if slug == "client-restricted":
        return {"product": _("The client restricted the processing of their data.")}
    if slug == "licence-not-active":
        return {"product": _("This partner's licence is not active.")}
    if slug == "already-referred":
        return {
            "product": _("The client is already waiting for this partner's answer on this product.")
        }
    if answer.errors:
        return {"product": _("The client does not meet this product's conditions.")}
    return {"product": _("The referral could not be sent.")}
