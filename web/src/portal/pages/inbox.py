"""The partner inbox: a partner's staff (role `partner`, their organisation in the token's
`partner_code`) work on the referrals addressed to them, through the partner API with their
own token. The API scopes every call to their organisation: another partner's referral is
404 there, and so here."""

from __future__ import annotations

import asyncio
import statistics
from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal import words
from portal.dependencies import PostDep, Visit, VisitDep, api, flash, full_page, page
from portal.rendering import translator_for
from shared.calendar import local_now

router = APIRouter()

TABS = ("sent", "acknowledged", "")  # new, in progress, all
RECENT = 200  # the referrals the figures are drawn from


def _staff(officer: Visit) -> None:
    if "partner" not in officer.user.get("roles", []):
        raise HTTPException(status_code=403)


def _office_today(referral: dict[str, Any], now: datetime) -> date:
    return local_now(referral["office_region_code"], now).date()


def overdue(referral: dict[str, Any], now: datetime) -> bool:
    """Still not acknowledged after its respond-by day, in the referring office's zone."""
    return referral["state"] == "sent" and _office_today(referral, now) > date.fromisoformat(
        referral["respond_by"]
    )


def figures(
    recent: list[dict[str, Any]], waiting: list[dict[str, Any]], now: datetime
) -> dict[str, Any]:
    """The partner's own service level: over its recent referrals, how long acknowledging took
    (median hours) and how many were acknowledged by their day; over those still waiting (the
    earliest deadlines first), how many there are and how many are late."""
    acknowledged = [r for r in recent if r.get("acknowledged_at")]
    hours = [
        (_instant(r["acknowledged_at"]) - _instant(r["sent_at"])).total_seconds() / 3600
        for r in acknowledged
    ]
    in_time = [
        r
        for r in acknowledged
        if local_now(r["office_region_code"], _instant(r["acknowledged_at"])).date()
        <= date.fromisoformat(r["respond_by"])
    ]
    expired = sum(r["state"] == "expired" for r in recent)
    return {
        "waiting": len(waiting),
        "overdue": sum(overdue(r, now) for r in waiting),
        "median_hours": round(statistics.median(hours), 1) if hours else None,
        "in_time": len(in_time),
        "answered": len(acknowledged) + expired,
        "expired": expired,
    }


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@router.get("/inbox", response_class=HTMLResponse)
async def inbox(request: Request, officer: VisitDep, state: str = "sent") -> HTMLResponse:
    _staff(officer)
    if state not in TABS:
        state = "sent"
    path = "/api/partner/referrals"
    chosen = {"status": state} if state else {}
    # The newest of the tab; the waiting ones by deadline (the late among them lead the tab
    # that holds them, and give the figures what waits); the newest of all for the rest.
    newest, waiting, recent = await asyncio.gather(
        api(request, officer, "GET", path, params=chosen | {"order": "newest", "limit": 50}),
        api(
            request,
            officer,
            "GET",
            path,
            params={"status": "sent", "order": "respond_by", "limit": RECENT},
        ),
        api(request, officer, "GET", path, params={"order": "newest", "limit": RECENT}),
    )
    now = datetime.now(UTC)
    late = [r for r in waiting.items if overdue(r, now)] if state in ("sent", "") else []
    shown = {r["id"]: r for r in [*late, *newest.items]}.values()
    items = sorted(shown, key=lambda r: (not overdue(r, now), r["respond_by"], r["sent_at"]))
    return await full_page(
        request,
        officer,
        "inbox.html",
        referrals=[r | {"overdue": overdue(r, now)} for r in items],
        state=state,
        tabs=TABS,
        figures=figures(recent.items, waiting.items, now),
    )


async def _referral(request: Request, officer: Visit, referral_id: str) -> dict[str, Any]:
    found = await api(request, officer, "GET", f"/api/partner/referrals/{referral_id}")
    return dict(found.body) | {"overdue": overdue(found.body, datetime.now(UTC))}


@router.get("/inbox/{referral_id}", response_class=HTMLResponse)
async def referral(request: Request, officer: VisitDep, referral_id: str) -> HTMLResponse:
    _staff(officer)
    return await full_page(
        request,
        officer,
        "inbox_referral.html",
        referral=await _referral(request, officer, referral_id),
        outcomes=words.OUTCOMES,
        reasons=words.DECLINE_REASONS,
        errors={},
        values={},
    )


@router.get("/inbox/{referral_id}/applicant", response_class=HTMLResponse)
async def applicant(request: Request, officer: VisitDep, referral_id: str) -> HTMLResponse:
    """The applicant, within the consent's scope, read only when asked (each read is audited
    in the client's record as a read by the partner); a fragment, never cached."""
    _staff(officer)
    found = await api(request, officer, "GET", f"/api/partner/referrals/{referral_id}/applicant")
    shown = page(
        request,
        officer,
        "_inbox_applicant.html",
        applicant=found.body if found.ok else None,
    )
    shown.headers["Cache-Control"] = "no-store"
    return shown


@router.post("/inbox/{referral_id}/answer", response_class=HTMLResponse)
async def answer(request: Request, officer: PostDep, referral_id: str) -> Response:
    """Acknowledge (with the partner's own reference), complete with an outcome, or decline
    with a reason: one call to the partner API each."""
    _staff(officer)
    _ = translator_for(request)
    form = await request.form()
    status = str(form.get("status") or "")
    body: dict[str, Any] = {"status": status}
    errors: dict[str, str] = {}
    if status == "acknowledged":
        body["external_ref"] = str(form.get("external_ref") or "").strip()[:100] or None
    elif status == "completed":
        body["outcome"] = str(form.get("outcome") or "")
        if body["outcome"] not in words.OUTCOMES:
            errors["outcome"] = _("Choose the outcome.")
    elif status == "declined":
        body["reason"] = str(form.get("reason") or "")
        if body["reason"] not in words.DECLINE_REASONS:
            errors["reason"] = _("Choose the reason.")
    else:
        raise HTTPException(status_code=400)
    if not errors:
        sent = await api(
            request, officer, "POST", f"/api/partner/referrals/{referral_id}/status", json=body
        )
        if sent.ok:
            await flash(request, officer, _("Your answer was recorded."))
            return RedirectResponse(f"/inbox/{referral_id}", status_code=303)
        state = words.INBOX_STATES.get(str((sent.body or {}).get("state")), "")
        errors["form"] = _(
            "This referral can no longer take that answer: it is {state}.", state=_(state)
        )
    return page(
        request,
        officer,
        "inbox_referral.html",
        422,
        referral=await _referral(request, officer, referral_id),
        outcomes=words.OUTCOMES,
        reasons=words.DECLINE_REASONS,
        errors=errors,
        values=dict(form),
    )


@router.post("/inbox/{referral_id}/erased", response_class=HTMLResponse)
async def confirm_erased(request: Request, officer: PostDep, referral_id: str) -> Response:
    """The partner erased what it held about an erased client's applicant: say so."""
    _staff(officer)
    _ = translator_for(request)
    done = await api(request, officer, "POST", f"/api/partner/referrals/{referral_id}/erased")
    await flash(
        request,
        officer,
        _("Erasure confirmed.") if done.ok else _("No erasure was asked for this referral."),
    )
    return RedirectResponse(f"/inbox/{referral_id}", status_code=303)
