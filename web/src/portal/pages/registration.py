"""Registering a client (a worker or a small business) with the financial profile.

The form keeps what was typed; the client service decides, and each of its refusals is shown
beside the field it names, in the officer's language. While the NIK is typed, a hint reads
the birth date and sex it encodes.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal import nik
from portal.dependencies import PostDep, Visit, VisitDep, api, flash, page
from portal.forms import regencies, whole_number
from portal.gateway import Answer
from portal.rendering import translator_for

router = APIRouter()

_REGISTRATION_FIELDS = (
    "kind",
    "nik",
    "full_name",
    "birth_date",
    "sex",
    "phone",
    "email",
    "region_code",
    "preferred_language",
)
_BUSINESS_FIELDS = ("business_name", "nib", "kbli", "employees", "scale_basis", "amount")
FINANCIAL_PROFILE = ("has_bank_account", "has_ewallet", "wages_paid_digitally", "uses_qris")


def _registration_page(
    request: Request,
    officer: Visit,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    return page(
        request,
        officer,
        "register.html",
        status_code,
        values=values,
        errors=errors,
        regencies=regencies(officer),
        profile=FINANCIAL_PROFILE,
    )


@router.get("/clients/new", response_class=HTMLResponse)
async def registration_form(request: Request, officer: VisitDep) -> HTMLResponse:
    return _registration_page(
        request, officer, {"kind": "worker", "scale_basis": "annual_sales"}, {}
    )


@router.get("/clients/nik-hint", response_class=HTMLResponse)
async def nik_hint(
    request: Request,
    officer: VisitDep,
    nik_value: Annotated[str, Query(alias="nik")] = "",
    birth_date: str = "",
    sex: str = "",
) -> HTMLResponse:
    """What the NIK says of birth date and sex: it fills them when they are empty and flags
    them when they disagree (the client service decides at registration)."""
    hint = nik.read(nik_value)
    _ = translator_for(request)
    mismatches = []
    if hint and birth_date and birth_date != hint.birth_date.isoformat():
        mismatches.append(_("The birth date does not match the NIK."))
    if hint and sex and sex != hint.sex:
        mismatches.append(_("The sex does not match the NIK."))
    fill = hint is not None and not birth_date and not sex
    values = {"birth_date": hint.birth_date.isoformat(), "sex": hint.sex} if hint else {}
    return page(
        request,
        officer,
        "_nik_hint.html",
        hint=hint,
        mismatches=mismatches,
        fill=fill,
        values=values,
        errors={},
    )


@router.post("/clients/new", response_class=HTMLResponse)
async def register(request: Request, officer: PostDep) -> Response:
    form = await request.form()
    names = (*_REGISTRATION_FIELDS, *_BUSINESS_FIELDS)
    values: dict[str, Any] = {name: str(form.get(name) or "").strip() for name in names}
    values |= {name: form.get(name) == "on" for name in (*FINANCIAL_PROFILE, "disability")}
    _ = translator_for(request)
    required = ["nik", "full_name", "birth_date", "sex", "phone"]
    if regencies(officer):
        required.append("region_code")
    if values["kind"] == "business":
        required += ["business_name", "nib", "kbli", "employees", "amount"]
    errors = {name: _("Please fill this in.") for name in required if not values[name]}
    for name in ("employees", "amount"):
        if values[name] and whole_number(values[name]) is None:
            errors[name] = _("Please write a whole number.")
    if not errors:
        answer = await api(
            request, officer, "POST", "/api/clients", json=_registration(values, officer)
        )
        if answer.ok:
            await flash(request, officer, _("Client registered."))
            return RedirectResponse(f"/clients/{answer.body['id']}", status_code=303)
        errors = _field_messages(answer, _)
    return _registration_page(request, officer, values, errors, status_code=422)


def _registration(values: dict[str, Any], officer: Visit) -> dict[str, Any]:
    """The form as the client API takes it; a business's scale follows from the amount."""
    body: dict[str, Any] = {
        k: values[k]
        for k in ("kind", "nik", "full_name", "birth_date", "sex", "phone", "email")
        if values[k]
    } | {
        "region_code": values["region_code"] or officer.user["region"],
        "disability": values["disability"],
        "preferred_language": values["preferred_language"] or "id",
        "financial_profile": {name: values[name] for name in FINANCIAL_PROFILE},
    }
    if values["kind"] == "business":
        basis = "capital_idr" if values["scale_basis"] == "capital" else "annual_revenue_idr"
        body["business"] = {
            "name": values["business_name"],
            "nib": values["nib"],
            "kbli": values["kbli"],
            "employees": whole_number(values["employees"]),
            basis: whole_number(values["amount"]),
        }
    return body


# What the client API names, and the field of the form it belongs to.
_FORM_FIELD = {
    "business.name": "business_name",
    "business.nib": "nib",
    "business.kbli": "kbli",
    "business.employees": "employees",
    "business.annual_revenue_idr": "amount",
    "business.capital_idr": "amount",
    "business.scale": "amount",
    "business": "kind",
}


def _field_messages(answer: Answer, _: Any) -> dict[str, str]:
    """The API's refusals, in the officer's words: one message beside each field it named."""
    known = {
        "nik": _("The NIK is not valid or does not match the birth date and sex."),
        "birth_date": _("The birth date does not match the NIK."),
        "sex": _("The sex does not match the NIK."),
        "phone": _("Use an Indonesian mobile number, e.g. 0812-3456-7890."),
        "email": _("This is not an e-mail address."),
        "full_name": _("Please check the name."),
        "region_code": _("Choose a regency or city of your province."),
        "business_name": _("Please check the business name."),
        "nib": _("The NIB has 13 digits."),
        "kbli": _("Use a 5-digit code from the KBLI 2020 list."),
        "employees": _("Please write a whole number."),
        "amount": _("Above the limit of a medium business (PP 7/2021)."),
        "kind": _("A small business needs its business details."),
    }
    if answer.status == 409:
        return {"nik": _("This NIK is already registered.")}
    named = {_FORM_FIELD.get(field, field.split(".")[-1]) for field in answer.errors}
    messages = {name: known.get(name, _("Please check this.")) for name in named}
    return messages or {"form": _("The form could not be saved. Please check it.")}
