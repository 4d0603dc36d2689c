"""Logging in and out, and the language switch.

Login is the authorization code flow with PKCE against Keycloak: the pending login (state,
nonce, verifier, where to return) waits in a fresh session; the callback checks it, and the
session id is replaced once the officer is logged in. Logout is a form post (so CSRF-checked)
that deletes the session and ends the Keycloak session too.
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from portal.dependencies import PostDep, portal_of
from portal.i18n import LANGUAGES
from portal.oidc import LoginFailed, PendingLogin
from portal.rendering import language_of, render
from portal.sessions import COOKIE

router = APIRouter()


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
        secure=portal_of(request).settings.cookie_secure,
        samesite="lax",
        path="/",
    )


@router.get("/login")
async def login(request: Request, next: str | None = None) -> Response:
    portal = portal_of(request)
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
    portal = portal_of(request)
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
    portal = portal_of(request)
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
