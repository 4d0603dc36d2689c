"""The portal process: `python -m shared.serve portal.app:create 8100`.

A backend-for-frontend: the browser gets server-rendered pages and a session cookie; the
tokens stay in the session store and every API call goes through the gateway with the
officer's own token, so the services' region checks and audit apply unchanged.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from importlib import resources
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from portal.dependencies import LoginRequired
from portal.gateway import Gateway
from portal.oidc import Keycloak
from portal.pages import ROUTERS
from portal.rendering import render
from portal.sessions import SessionStore
from portal.settings import PortalSettings
from shared import db
from shared.http import AccessLog
from shared.telemetry import configure_logging, configure_telemetry


@dataclass(frozen=True)
class Portal:
    settings: PortalSettings
    store: SessionStore
    keycloak: Keycloak
    gateway: Gateway
    templates: Jinja2Templates


def _security_headers(response: Response, login_origin: str) -> None:
    # Logging out posts a form that ends at Keycloak: its origin is a form target too.
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        f"form-action 'self' {login_origin}; frame-ancestors 'none'; base-uri 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = response.headers.get("Cache-Control", "no-store")


def create(settings: PortalSettings | None = None, *, configure_process: bool = True) -> FastAPI:
    settings = settings or PortalSettings()
    if configure_process:
        configure_logging("portal", settings.log_level, settings.log_file)
        configure_telemetry("portal", settings.otlp_endpoint, trace_dir=settings.trace_dir)
    engine = db.async_engine(settings.database_url, pool_size=5)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with (
            httpx.AsyncClient(timeout=10) as keycloak_http,
            httpx.AsyncClient(base_url=settings.gateway_url, timeout=15) as api_http,
        ):
            templates = Jinja2Templates(directory=str(resources.files("portal") / "templates"))
            app.state.portal = Portal(
                settings=settings,
                store=SessionStore(
                    db.session_factory(engine),
                    settings.session_key.get_secret_value(),
                    timedelta(minutes=settings.session_idle_minutes),
                ),
                keycloak=Keycloak(settings, keycloak_http),
                gateway=Gateway(api_http),
                templates=templates,
            )
            yield
        await engine.dispose()

    app = FastAPI(
        title="Jembatan portal", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None
    )
    static = resources.files("portal") / "static"
    # Assets are compressed (slow connections); pages are not, as they carry the CSRF token
    # beside what the officer typed (BREACH).
    assets = GZipMiddleware(StaticFiles(directory=str(static)), minimum_size=500)
    app.mount("/static", assets, name="static")
    for router in ROUTERS:  # in order: literal paths before parameters (portal.pages)
        app.include_router(router)

    app.add_middleware(AccessLog)  # route templates only: paths and queries may be personal

    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        if not request.url.path.startswith("/static/"):
            _security_headers(response, settings.oidc_public_base)
        return response

    @app.exception_handler(LoginRequired)
    async def login_first(request: Request, exc: LoginRequired) -> Response:
        target = f"/login?next={exc.next_path}"
        if request.headers.get("HX-Request"):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def error_page(request: Request, exc: StarletteHTTPException) -> Response:
        template = {403: "403.html", 404: "404.html"}.get(exc.status_code, "error.html")
        return render(request, template, status_code=exc.status_code)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> Response:
        try:
            async with engine.connect() as conn:
                await conn.exec_driver_sql("SELECT 1")
        except Exception:
            return Response(status_code=503)
        return Response(status_code=200)

    return app
