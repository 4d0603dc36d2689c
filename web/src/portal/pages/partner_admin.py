"""The partner catalogue as administrators keep it: a partner's licence (suspended or revoked,
no officer can refer to it), its products with their eligibility rules, and fee sheets that
change only under a new version (the version is what a client acknowledged). The referral
service owns the catalogue; each form here is one call to it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal.dependencies import PostDep, Visit, VisitDep, api, flash, full_page, page
from portal.pages.partner_forms import (
    CLIENT_KINDS,
    CODE,
    LICENCE_STATES,
    PARTNER_TEXTS,
    PRODUCT_KINDS,
    PRODUCT_TEXTS,
    SHEET_TEXTS,
    catalogue_entry,
    fee_sheet,
    onboarding_message,
    product_entry,
    read_form,
    refusals,
)
from portal.rendering import translator_for

router = APIRouter()


def _admin(officer: Visit) -> None:
    if "admin" not in officer.user.get("roles", []):
        raise HTTPException(status_code=403)


async def _partner(request: Request, officer: Visit, code: str) -> dict[str, Any]:
    catalogue = await api(request, officer, "GET", "/api/partners")
    found = next((p for p in catalogue.items if p["code"] == code), None)
    if found is None:
        raise HTTPException(status_code=404)
    return dict(found)


async def _partner_page(
    request: Request,
    officer: Visit,
    code: str,
    *,
    form: str = "",
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context: dict[str, Any] = {
        "partner": await _partner(request, officer, code),
        "form": form,  # which form the values and errors belong to
        "values": values or {},
        "errors": errors or {},
        "states": LICENCE_STATES,
        "kinds": PRODUCT_KINDS,
        "client_kinds": CLIENT_KINDS,
    }
    if status_code == 200:
        return await full_page(request, officer, "partner_admin.html", **context)
    return page(request, officer, "partner_admin.html", status_code, **context)


@router.get("/partners/new", response_class=HTMLResponse)
async def new_partner_form(request: Request, officer: VisitDep) -> HTMLResponse:
    _admin(officer)
    defaults = {"client_kinds": list(CLIENT_KINDS), "min_age": "17", "licence_status": "active"}
    return page(
        request,
        officer,
        "partner_new.html",
        values=defaults,
        errors={},
        states=LICENCE_STATES,
        kinds=PRODUCT_KINDS,
        client_kinds=CLIENT_KINDS,
    )


@router.post("/partners/new", response_class=HTMLResponse)
async def new_partner(request: Request, officer: PostDep) -> Response:
    _admin(officer)
    _ = translator_for(request)
    values = await read_form(
        request,
        (*PARTNER_TEXTS, "licence_status", "verified_on", *PRODUCT_TEXTS, *SHEET_TEXTS),
    )
    errors: dict[str, str] = {}
    if not CODE.match(values["code"]):
        errors["code"] = _("Lowercase letters, digits and dashes, e.g. kur-mikro.")
    for name in ("name", "licence_type", "licence_number", "verified_on"):
        if not values[name]:
            errors[name] = _("Please fill this in.")
    product = product_entry(values, errors, _)
    if not errors:
        body = {
            "name": values["name"],
            "kind": values["kind"],
            "regulator": values["regulator"],
            "licence_type": values["licence_type"],
            "licence_number": values["licence_number"],
            "licence_status": values["licence_status"],
            "licence_verified_on": values["verified_on"],
            "products": [product],
        }
        path = f"/api/partners/{values['code']}"
        answer = await api(request, officer, "PUT", path, json=body, unavailable_ok=True)
        if answer.ok or answer.status == 503:
            await flash(request, officer, onboarding_message(answer.status, _))
            return RedirectResponse(f"/partners/{values['code']}", status_code=303)
        errors = refusals(answer, _)
    return page(
        request,
        officer,
        "partner_new.html",
        422,
        values=values,
        errors=errors,
        states=LICENCE_STATES,
        kinds=PRODUCT_KINDS,
        client_kinds=CLIENT_KINDS,
    )


@router.get("/partners/{code}", response_class=HTMLResponse)
async def partner_page(request: Request, officer: VisitDep, code: str) -> HTMLResponse:
    _admin(officer)
    return await _partner_page(request, officer, code)


@router.post("/partners/{code}/licence", response_class=HTMLResponse)
async def change_licence(request: Request, officer: PostDep, code: str) -> Response:
    _admin(officer)
    _ = translator_for(request)
    values = await read_form(request, ("licence_status", "verified_on"))
    errors = {} if values["verified_on"] else {"verified_on": _("Please fill this in.")}
    if values["licence_status"] not in LICENCE_STATES:
        errors["licence_status"] = _("Choose one.")
    if not errors:
        body = {
            "licence_status": values["licence_status"],
            "licence_verified_on": values["verified_on"],
        }
        answer = await api(request, officer, "PUT", f"/api/partners/{code}/licence", json=body)
        if answer.ok:
            await flash(request, officer, _("Licence recorded."))
            return RedirectResponse(f"/partners/{code}", status_code=303)
        errors = {"verified_on": _("Please check this date.")}
    return await _partner_page(
        request, officer, code, form="licence", values=values, errors=errors, status_code=422
    )


async def _save(
    request: Request,
    officer: Visit,
    partner: dict[str, Any],
    products: list[dict[str, Any]],
    form: str,
    values: dict[str, Any],
    message: str,
) -> Response:
    _ = translator_for(request)
    body = catalogue_entry(partner) | {"products": products}
    answer = await api(request, officer, "PUT", f"/api/partners/{partner['code']}", json=body)
    if answer.ok:
        await flash(request, officer, message)
        return RedirectResponse(f"/partners/{partner['code']}", status_code=303)
    return await _partner_page(
        request,
        officer,
        partner["code"],
        form=form,
        values=values,
        errors=refusals(answer, _),
        status_code=422,
    )


@router.post("/partners/{code}/products/{product_code}/fee-sheet", response_class=HTMLResponse)
async def new_fee_sheet(
    request: Request, officer: PostDep, code: str, product_code: str
) -> Response:
    _admin(officer)
    _ = translator_for(request)
    values = await read_form(request, SHEET_TEXTS)
    partner = await _partner(request, officer, code)
    products = catalogue_entry(partner)["products"]
    current = next((p for p in products if p["code"] == product_code), None)
    if current is None:
        raise HTTPException(status_code=404)
    errors: dict[str, str] = {}
    sheet = fee_sheet(values, errors, _)
    if values["version"] == current["fee_sheet"]["version"]:
        errors["version"] = _("A new fee sheet needs a new version.")
    if errors:
        return await _partner_page(
            request,
            officer,
            code,
            form=f"sheet:{product_code}",
            values=values,
            errors=errors,
            status_code=422,
        )
    current["fee_sheet"] = sheet
    message = _("Fee sheet {version} published.", version=values["version"])
    return await _save(
        request, officer, partner, products, f"sheet:{product_code}", values, message
    )


@router.post("/partners/{code}/products", response_class=HTMLResponse)
async def add_product(request: Request, officer: PostDep, code: str) -> Response:
    _admin(officer)
    _ = translator_for(request)
    values = await read_form(request, (*PRODUCT_TEXTS, *SHEET_TEXTS))
    partner = await _partner(request, officer, code)
    products = catalogue_entry(partner)["products"]
    errors: dict[str, str] = {}
    product = product_entry(values, errors, _)
    if any(p["code"] == product["code"] for p in products):
        errors["product_code"] = _("This partner already has a product with this code.")
    if errors:
        return await _partner_page(
            request, officer, code, form="product", values=values, errors=errors, status_code=422
        )
    return await _save(
        request, officer, partner, [*products, product], "product", values, _("Product added.")
    )


@router.post("/partners/{code}/onboard", response_class=HTMLResponse)
async def onboard(request: Request, officer: PostDep, code: str) -> Response:
    """Complete (or repeat) the set-up: the catalogue entry sent back as it is."""
    _admin(officer)
    _ = translator_for(request)
    partner = await _partner(request, officer, code)
    answer = await api(
        request,
        officer,
        "PUT",
        f"/api/partners/{code}",
        json=catalogue_entry(partner),
        unavailable_ok=True,
    )
    await flash(request, officer, onboarding_message(answer.status, _))
    return RedirectResponse(f"/partners/{code}#access", status_code=303)


@router.post("/partners/{code}/offboard", response_class=HTMLResponse)
async def offboard(request: Request, officer: PostDep, code: str) -> Response:
    _admin(officer)
    _ = translator_for(request)
    values = await read_form(request, ("confirm",))
    if values["confirm"] != code:
        return await _partner_page(
            request,
            officer,
            code,
            form="offboard",
            errors={"confirm": _("Type the partner's code to confirm.")},
            status_code=422,
        )
    answer = await api(request, officer, "DELETE", f"/api/partners/{code}", unavailable_ok=True)
    await flash(
        request,
        officer,
        _("Partner removed: its credentials and its topic are deleted.")
        if answer.ok
        else _("Not removed yet: Keycloak or Kafka did not answer. Try again."),
    )
    return RedirectResponse(f"/partners/{code}#access", status_code=303)


@router.post("/partners/{code}/webhook", response_class=HTMLResponse)
async def set_webhook(request: Request, officer: PostDep, code: str) -> Response:
    """The partner's callback URL: its events as signed webhooks; empty, none (Kafka only)."""
    _admin(officer)
    _ = translator_for(request)
    values = await read_form(request, ("callback_url",))
    partner = await _partner(request, officer, code)
    body = catalogue_entry(partner) | {"callback_url": values["callback_url"] or None}
    answer = await api(request, officer, "PUT", f"/api/partners/{code}", json=body)
    if answer.ok:
        await flash(
            request,
            officer,
            _("Callback URL saved: each event is sent there, signed.")
            if values["callback_url"]
            else _("Callback URL removed: the partner reads its Kafka topic."),
        )
        return RedirectResponse(f"/partners/{code}#access", status_code=303)
    refused = any(field.endswith("callback_url") for field in answer.errors)
    errors = (
        {
            "callback_url": _(
                "Use an https address without a query, e.g. https://bank.example/hooks."
            )
        }
        if refused
        else {"form": _("The catalogue could not be saved.")}
    )
    return await _partner_page(
        request, officer, code, form="webhook", values=values, errors=errors, status_code=422
    )


@router.post("/partners/{code}/secret", response_class=HTMLResponse)
async def new_secret(request: Request, officer: PostDep, code: str) -> Response:
    """A new client secret, shown on this answer only (never stored by the portal)."""
    _admin(officer)
    answer = await api(request, officer, "POST", f"/api/partners/{code}/secret")
    if not answer.ok:
        _ = translator_for(request)
        await flash(request, officer, _("No secret now: the partner is not set up."))
        return RedirectResponse(f"/partners/{code}#access", status_code=303)
    shown = page(
        request, officer, "partner_secret.html", partner_code=code, credentials=answer.body
    )
    shown.headers["Cache-Control"] = "no-store"
    return shown
