"""What every page of the portal depends on: the logged-in officer, CSRF, and the API.

FastAPI dependencies (`VisitDep` for a page, `PostDep` for a form post) load the officer's
session, refreshing the access token when it is about to expire, and check that a form post
carries the session's CSRF token. The helpers below call the APIs through the gateway with
the officer's own token and render pages with the session's one-time message; the page
modules (`portal.pages`) import them from here rather than from one another.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from portal.gateway import Answer
from portal.oidc import LoginFailed
from portal.rendering import render
from portal.sessions import COOKIE, Session


class LoginRequired(Exception):
    """No session, or one whose refresh was refused: the app sends the browser to log in."""

    def __init__(self, next_path: str) -> None:
        self.next_path = quote(next_path, safe="/")


def portal_of(request: Request) -> Any:
    """The portal's shared parts (settings, session store, gateway, Keycloak)."""
    return request.app.state.portal


@dataclass
class Visit:
    """The logged-in officer of a request: the session and the user's claims."""

    session: Session
    user: dict[str, Any]

    @property
    def token(self) -> str:
        return str(self.session.data["access_token"])


async def visit(request: Request) -> Visit:
    """The logged-in officer of this request, or a redirect to the login."""
    portal = portal_of(request)
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
    answer: Answer = await portal_of(request).gateway.call(officer.token, method, path, **kw)
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
    found = await portal_of(request).gateway.download(officer.token, path, params=params)
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
        await portal_of(request).store.save(officer.session)
    return response


async def flash(request: Request, officer: Visit, message: str) -> None:
    officer.session.data["flash"] = message
    await portal_of(request).store.save(officer.session)
