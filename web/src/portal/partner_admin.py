"""The partner catalogue as administrators keep it: a partner's licence (suspended or revoked,
no officer can refer to it), its products with their eligibility rules, and fee sheets that
change only under a new version (the version is what a client acknowledged). The referral
service owns the catalogue; each form here is one call to it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal.gateway import Answer
from portal.pages import PostDep, Visit, VisitDep, api, flash, full_page, page, whole_number
from portal.rendering import translator_for

router = APIRouter()

LICENCE_STATES = ("active", "suspended", "revoked")
PRODUCT_KINDS = ("savings", "payroll", "credit", "ewallet", "qris")
CLIENT_KINDS = ("worker", "business")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
_PARTNER_TEXTS = ("code", "name", "kind", "regulator", "licence_type", "licence_number")
_PRODUCT_TEXTS = ("product_code", "product_name", "product_kind", "min_age")
_SHEET_TEXTS = ("version", "fees", "limits", "interest_tier")


def _admin(officer: Visit) -> None:
    if "admin" not in officer.user.get("roles", []):
        raise HTTPException(status_code=403)


def _lines_hint(_: Callable[..., str]) -> str:
    return _("One per line, as name: amount in whole Rupiah, e.g. opening: 0.")


def _amounts(text: str) -> dict[str, int] | None:
    """Lines of `name: amount` (whole rupiah, dots allowed), or None when one is unreadable."""
    found: dict[str, int] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, sep, amount = line.partition(":") if ":" in line else line.partition("=")
        rupiah = whole_number(amount.strip())
        if not sep or not _NAME.match(name.strip()) or rupiah is None:
            return None
        found[name.strip()] = rupiah
    return found


def _sheet(values: dict[str, Any], errors: dict[str, str], _: Any) -> dict[str, Any]:
    """A fee sheet from the form; what cannot be read is added to `errors`."""
    if not values["version"]:
        errors["version"] = _("Please fill this in.")
    fees, limits = _amounts(values["fees"]), _amounts(values["limits"])
    lines = _lines_hint(_)
    if fees is None or not fees:
        errors["fees"] = lines
    if limits is None:
        errors["limits"] = lines
    sheet: dict[str, Any] = {
        "version": values["version"],
        "fees": fees or {},
        "limits": limits or {},
    }
    if values["interest_tier"]:
        sheet["interest_tier"] = values["interest_tier"]
    return sheet


def _product(values: dict[str, Any], errors: dict[str, str], _: Any) -> dict[str, Any]:
    if not _CODE.match(values["product_code"]):
        errors["product_code"] = _("Lowercase letters, digits and dashes, e.g. kur-mikro.")
    if not values["product_name"]:
        errors["product_name"] = _("Please fill this in.")
    if values["product_kind"] not in PRODUCT_KINDS:
        errors["product_kind"] = _("Choose one.")
    rules: list[dict[str, Any]] = []
    if not values["client_kinds"]:
        errors["client_kinds"] = _("Choose at least one.")
    else:
        rules.append({"kind": "client_kind", "value": values["client_kinds"]})
    if values["min_age"]:
        if values["min_age"].isdigit():
            rules.append({"kind": "min_age", "value": int(values["min_age"])})
        else:
            errors["min_age"] = _("Please write a whole number.")
    if values["nib_required"]:
        rules.append({"kind": "nib_required"})
    return {
        "code": values["product_code"],
        "name": values["product_name"],
        "kind": values["product_kind"],
        "fee_sheet": _sheet(values, errors, _),
        "rules": rules,
    }


async def _form(request: Request, names: tuple[str, ...]) -> dict[str, Any]:
    form = await request.form()
    values: dict[str, Any] = {name: str(form.get(name) or "").strip() for name in names}
    values["client_kinds"] = [str(k) for k in form.getlist("client_kinds") if k in CLIENT_KINDS]
    values["nib_required"] = form.get("nib_required") == "on"
    return values


def _entry(partner: dict[str, Any]) -> dict[str, Any]:
    """A partner as the catalogue answers it, in the shape it takes back."""
    keep = ("code", "name", "kind", "fee_sheet", "rules")
    return {k: v for k, v in partner.items() if k != "code"} | {
        "products": [{k: v for k, v in p.items() if k in keep} for p in partner["products"]]
    }


def _refusals(answer: Answer, _: Any) -> dict[str, str]:
    """The catalogue's refusals beside the form's fields."""
    fields = {
        "version": _(
            "This version names the current fee sheet, whose terms differ: give a new one."
        ),
        "fees": _lines_hint(_),
        "limits": _lines_hint(_),
        "code": _("Lowercase letters, digits and dashes, e.g. kur-mikro."),
        "rules": _("Please check the conditions."),
    }
    named = set()
    for field in answer.errors:
        parts = field.split(".")
        name = next((p for p in reversed(parts) if p in fields), parts[-1])
        named.add("product_code" if name == "code" and "products" in parts else name)
    messages = {n: fields.get(n, _("Please check this.")) for n in named}
    if "product_code" in messages:
        messages["product_code"] = fields["code"]
    return messages or {"form": _("The catalogue could not be saved.")}


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
    values = await _form(
        request,
        (*_PARTNER_TEXTS, "licence_status", "verified_on", *_PRODUCT_TEXTS, *_SHEET_TEXTS),
    )
    errors: dict[str, str] = {}
    if not _CODE.match(values["code"]):
        errors["code"] = _("Lowercase letters, digits and dashes, e.g. kur-mikro.")
    for name in ("name", "licence_type", "licence_number", "verified_on"):
        if not values[name]:
            errors[name] = _("Please fill this in.")
    product = _product(values, errors, _)
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
            await flash(request, officer, _onboarding_message(answer.status, _))
            return RedirectResponse(f"/partners/{values['code']}", status_code=303)
        errors = _refusals(answer, _)
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
    values = await _form(request, ("licence_status", "verified_on"))
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
    body = _entry(partner) | {"products": products}
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
        errors=_refusals(answer, _),
        status_code=422,
    )


@router.post("/partners/{code}/products/{product_code}/fee-sheet", response_class=HTMLResponse)
async def new_fee_sheet(
    request: Request, officer: PostDep, code: str, product_code: str
) -> Response:
    _admin(officer)
    _ = translator_for(request)
    values = await _form(request, _SHEET_TEXTS)
    partner = await _partner(request, officer, code)
    products = _entry(partner)["products"]
    current = next((p for p in products if p["code"] == product_code), None)
    if current is None:
        raise HTTPException(status_code=404)
    errors: dict[str, str] = {}
    sheet = _sheet(values, errors, _)
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
    values = await _form(request, (*_PRODUCT_TEXTS, *_SHEET_TEXTS))
    partner = await _partner(request, officer, code)
    products = _entry(partner)["products"]
    errors: dict[str, str] = {}
    product = _product(values, errors, _)
    if any(p["code"] == product["code"] for p in products):
        errors["product_code"] = _("This partner already has a product with this code.")
    if errors:
        return await _partner_page(
            request, officer, code, form="product", values=values, errors=errors, status_code=422
        )
    return await _save(
        request, officer, partner, [*products, product], "product", values, _("Product added.")
    )


def _onboarding_message(status: int, _: Callable[..., str]) -> str:
    if status == 503:
        return _(
            "The partner is saved but not set up: Keycloak or Kafka did not answer. "
            "Complete the set-up below."
        )
    return _("Partner added and set up: its Keycloak client and its topic exist.")


@router.post("/partners/{code}/onboard", response_class=HTMLResponse)
async def onboard(request: Request, officer: PostDep, code: str) -> Response:
    """Complete (or repeat) the set-up: the catalogue entry sent back as it is."""
    _admin(officer)
    _ = translator_for(request)
    partner = await _partner(request, officer, code)
    answer = await api(
        request, officer, "PUT", f"/api/partners/{code}", json=_entry(partner), unavailable_ok=True
    )
    await flash(request, officer, _onboarding_message(answer.status, _))
    return RedirectResponse(f"/partners/{code}#access", status_code=303)


@router.post("/partners/{code}/offboard", response_class=HTMLResponse)
async def offboard(request: Request, officer: PostDep, code: str) -> Response:
    _admin(officer)
    _ = translator_for(request)
    values = await _form(request, ("confirm",))
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
    values = await _form(request, ("callback_url",))
    partner = await _partner(request, officer, code)
    body = _entry(partner) | {"callback_url": values["callback_url"] or None}
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
